"""glo_lib.measures.registry: every measure declared once, printed as the report's tables always printed it."""
import math

import numpy as np
import pytest

from glo_lib.measures import registry
from glo_lib.measures.evaluate import RUN_MEASURES, EvalRow
from glo_lib.measures.registry import MEASURES, Measure, fmt, fmt_mean_std, heading, same, tolerance

#: (measure, scale, format) as the tables printed them before the registry (noise study and decay
#: table, loss table, settings table, encoders' and samplers' tables): the registry must not move a digit
PRINTED = [("mse", 1, ".4f"), ("l1", 1, ".4f"), ("sharpness", 1, ".4f"), ("transfer_accuracy", 100, ".1f"),
           ("probe_mlp", 100, ".1f"), ("probe_logreg", 100, ".1f"), ("diversity", 1, ".2f"),
           ("content_norm", 1, ".2f"), ("content_shift", 100, ".0f"), ("frechet", 1, ".1f"),
           ("classifier_accuracy", 100, ".1f"), ("agreement", 100, ".1f"), ("most_judged_share", 100, ".1f")]
VALUES = np.random.default_rng(0).uniform(0, 1, 500).tolist() + [0.0, 1.0, 0.0125, 0.03125, 0.9345, 12.34]


@pytest.mark.parametrize("name, scale, spec", PRINTED)
def test_each_format_prints_the_digits_the_tables_printed(name, scale, spec):
    for v in VALUES:
        assert fmt(name, v) == f"{v * scale:{spec}}"
        assert fmt_mean_std(name, v, v / 7) == f"{v * scale:{spec}} ± {v / 7 * scale:{spec}}"
        # the same digits; a negative difference with a true minus sign (U+2212), not a hyphen
        signed = f"{(v - 0.5) * scale:+{spec}}".replace("-", "\u2212")
        assert fmt_mean_std(name, v - 0.5, v / 7, sign=True) == f"{signed} ± {v / 7 * scale:{spec}}"


def test_shares_with_their_unit_print_as_python_percentages():
    # the encoders' and samplers' tables printed "{:.1%}"
    for name in ("transfer_accuracy", "classifier_accuracy", "probe_mlp", "agreement", "most_judged_share"):
        assert all(fmt(name, v, unit=True) == f"{v:.1%}" for v in VALUES)
    assert fmt("mse", 0.0109, unit=True) == "0.0109"  # no unit, nothing added


def test_known_cells():
    assert fmt("transfer_accuracy", 0.898, unit=True) == "89.8%" and fmt("mse", 0.04) == "0.0400"
    assert fmt_mean_std("mse", 0.04, 0.0007) == "0.0400 ± 0.0007"
    assert fmt_mean_std("transfer_accuracy", 0.001, float("nan"), sign=True) == "+0.1"  # one seed: no std
    assert fmt_mean_std("mse", 0.2197, None) == "0.2197"
    assert fmt_mean_std("diversity", 0.8, 0.01, spec=".4f") == "0.8000 ± 0.0100"  # a table's own places
    assert fmt("classifier_accuracy", math.nan, unit=True, missing="–") == "–"
    assert fmt("agreement", math.nan, missing="n/a") == "n/a" and fmt("frechet", 3.0, missing="n/a") == "3.0"


def test_headings_carry_the_unit_and_differences_are_in_points():
    assert heading("transfer_accuracy") == "class transfer (%)"
    assert heading("transfer_accuracy", change=True) == "class transfer (points)"
    assert heading("probe_logreg", change=True) == "logistic probe (points)"
    assert [heading(m) for m in ("mse", "probe_mlp", "content_norm", "content_shift")] == [
        "MSE", "MLP probe (%)", "code norm", "travel (%)"]
    assert heading("mse", change=True) == "MSE" and heading("diversity", change=True) == "diversity"


def test_tolerances_are_the_ones_the_sentences_used():
    # content probe and summary: TRANSFER_TOL, MSE_TOL, DIVERSITY_TOL; encoders: SHARE_TOL, MSE_TOL;
    # summary: AGREEMENT_TOL
    assert tolerance("transfer_accuracy") == 0.01 and tolerance("mse") == 0.0005 and tolerance("diversity") == 0.02
    assert tolerance("classifier_accuracy") == tolerance("probe_mlp") == tolerance("sample_agreement") == 0.01
    assert same("mse", 0.0200, 0.0204) and not same("mse", 0.0200, 0.0206)
    assert same("transfer_accuracy", 0.905, 0.91) and not same("transfer_accuracy", 0.90, 0.92)
    with pytest.raises(ValueError, match="'frechet' has no tolerance"):
        tolerance("frechet")


def test_every_measure_is_whole_and_consistent():
    for name, m in MEASURES.items():
        assert m.name == name and m.label and m.words and m.meaning
        assert m.better in registry.BETTER
        assert (m.unit == "%") == (m.scale == 100)
        assert m.function is None or (callable(m.function) and m.function.__module__.startswith("glo_lib."))
        assert m.tolerance is None or m.tolerance > 0
        assert "_" not in m.label and "%" not in m.label  # LaTeX-safe; the unit is added by heading()


def test_a_bad_measure_is_refused_at_declaration():
    with pytest.raises(ValueError, match="better must be one of"):
        Measure("x", "x", "x", "x", None, ".2f", better="up")
    with pytest.raises(ValueError, match="unit '%' and scale 100"):
        Measure("x", "x", "x", "x", None, ".2f", unit="%")
    with pytest.raises(ValueError):
        Measure("x", "x", "x", "x", None, ".2q")


def test_an_unknown_measure_is_named():
    with pytest.raises(KeyError, match="no measure named 'nope'"):
        fmt("nope", 1.0)


def test_the_typed_row_has_every_run_measure_and_the_rest_are_measured_elsewhere():
    fields = EvalRow.__annotations__
    assert set(RUN_MEASURES) <= set(MEASURES) and set(RUN_MEASURES) <= set(fields)
    assert "sharpness" in fields and all(fields[m] is float for m in RUN_MEASURES)
    # measures of the encoders (classifier), of a set of drawn images, and the leakage row's (not evaluate's)
    assert set(MEASURES) - set(RUN_MEASURES) - LEAKAGE_ONLY == {"classifier_accuracy", "agreement",
                                                                "most_judged_share", "pixel_change"}


#: the measures of notebook 05 that measures.leakage computes (a run's leakage row, or the style floor of its digits)
LEAKAGE_ONLY = {"noisy_probe_mlp", "noisy_probe_logreg", "permutation_null_mlp", "style_floor_mlp",
                "style_floor_logreg", "style_r2_mean", "code_r2", "misread_source_share", "misread_source_chance",
                "class_blind_source", "class_blind_chance", "style_kept", "code_spread", "sigma_over_spread",
                "adversary_accuracy"}
