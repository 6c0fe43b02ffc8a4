"""glo_lib.measures.style: style attributes on constructed images whose answers are known, and on real digits."""
import warnings

import numpy as np
import pytest
import torch

from glo_lib.measures.style import ATTRIBUTES, THRESHOLD, filled, style_attributes


def bar(shear: float = 0.0, rows=range(4, 24), cols=(13, 14)) -> torch.Tensor:
    """A 2-pixel-wide bar over ``rows``, each row shifted right by shear * (height above the centre)."""
    img = torch.zeros(1, 1, 28, 28)
    for r in rows:
        shift = round(shear * (13.5 - r))
        img[0, 0, r, [c + shift for c in cols]] = 1.0
    return img


def test_every_attribute_is_a_documented_column():
    frame = style_attributes(torch.rand(5, 1, 28, 28))
    assert list(frame.columns) == list(ATTRIBUTES) and len(frame) == 5
    assert all(ATTRIBUTES[name] for name in frame.columns)  # each carries its formula
    assert frame.dtypes.eq(np.float64).all()


def test_a_centred_vertical_bar_is_upright_and_centred():
    a = style_attributes(bar()).iloc[0]
    assert a.slant == 0.0 and a.centroid_x == 0.0 and a.centroid_y == 0.0
    assert a.spread_x == pytest.approx(0.5)  # columns at x = -0.5 and +0.5
    assert a.spread_y == pytest.approx(np.sqrt((20 ** 2 - 1) / 12))  # 20 evenly spaced rows
    assert (a.width, a.height) == (2, 20)
    assert a.ink == pytest.approx(40 / 784)
    assert a.stroke == pytest.approx(2 * 20 / (20 + 2))  # a w x h bar reads w h / (w + h)


def test_a_sheared_bar_has_the_slant_of_its_shear_and_its_sign():
    right, left = (style_attributes(bar(s)).iloc[0] for s in (0.3, -0.3))
    assert right.slant == pytest.approx(0.3, abs=0.03)  # top leaning right ('/') is positive
    assert left.slant == pytest.approx(-0.3, abs=0.03)
    assert right.width > 2 and right.height == 20
    assert right.spread_x > style_attributes(bar()).iloc[0].spread_x  # the shear widens it


def test_an_empty_image_has_no_ink_and_undefined_ratios_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = style_attributes(torch.zeros(2, 1, 28, 28)).iloc[0]
    assert a.ink == 0 and a.width == 0 and a.height == 0
    assert all(np.isnan(a[name]) for name in ("centroid_x", "centroid_y", "spread_x", "spread_y", "slant", "stroke"))


def test_a_horizontal_line_has_no_slant_rather_than_an_infinite_one():
    line = torch.zeros(1, 1, 28, 28)
    line[0, 0, 14, 5:20] = 1.0
    a = style_attributes(line).iloc[0]
    assert np.isnan(a.slant) and a.height == 1 and a.width == 15


def test_faint_ink_counts_as_ink_but_not_as_stroke():
    faint = torch.full((1, 1, 28, 28), THRESHOLD / 2)
    a = style_attributes(faint).iloc[0]
    assert a.ink == pytest.approx(THRESHOLD / 2) and a.width == 0 and np.isnan(a.stroke)


def test_filled_replaces_undefined_values_by_the_attribute_mean():
    frame = style_attributes(torch.cat([bar(), bar(0.3), torch.zeros(1, 1, 28, 28)]))
    x = filled(frame)
    assert not np.isnan(x).any()
    assert x[2, list(ATTRIBUTES).index("slant")] == pytest.approx(frame.slant[:2].mean())


def test_real_digits_differ_in_style_by_class(tiny_digits):
    a = style_attributes(tiny_digits.heldout_images[:1000])
    by_class = a.groupby(tiny_digits.heldout_labels[:1000].numpy()).mean()
    assert by_class.width[1] < by_class.width[0] - 4  # ones are narrow, zeros wide
    assert by_class.ink[1] < by_class.ink[0]
    assert not a.isna().any().any()  # real digits all have ink
