"""Style attributes of 28 x 28 digits: how a digit is written, whatever digit it is.

Each attribute is a small named function of the image moments (Hu 1962; the moments MNIST's own
deskewing uses) or of the pixels above ``THRESHOLD``. They serve two measures: the style floor
(how much the digit style alone gives the class away, ``leakage.style_floor``) and style kept
through class transfer (``leakage.style_kept``).

Coordinates, in pixels: x = column - 13.5 (rightwards), y = 13.5 - row (upwards), so (0, 0) is the
centre of the image and a digit whose top leans right ("/") has a positive slant. With the image
I(x, y) >= 0 as a mass distribution, m = sum I, and moments
    mean_x = sum x I / m,  mu20 = sum (x - mean_x)^2 I / m,  mu02 = sum (y - mean_y)^2 I / m,
    mu11 = sum (x - mean_x)(y - mean_y) I / m.

An empty image (no ink): the amounts (ink, width, height) are 0 and the ratios over the ink
(centroid, spreads, slant, stroke) are NaN, since they are undefined, not zero.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

SIZE = 28
#: a pixel counts as stroke above half intensity: the edge of MNIST's anti-aliased strokes,
#: and where a sigmoid generator's output crosses from background to ink
THRESHOLD = 0.5

#: every attribute -> its formula and meaning (the column names of ``style_attributes``)
ATTRIBUTES: dict[str, str] = {
    "ink": "mean intensity, sum I / 784 (how much ink)",
    "centroid_x": "sum x I / m, pixels right of the image centre",
    "centroid_y": "sum y I / m, pixels above the image centre",
    "spread_x": "sqrt(mu20), horizontal standard deviation of the ink in pixels (how wide it is written)",
    "spread_y": "sqrt(mu02), vertical standard deviation of the ink in pixels (how tall)",
    "slant": "mu11 / mu02, the shear dx/dy that makes the digit upright (x -> x - slant y); "
             "> 0 leans right ('/'), NaN without vertical extent",
    "width": f"columns spanned by pixels above {THRESHOLD} (bounding-box width, pixels)",
    "height": f"rows spanned by pixels above {THRESHOLD} (bounding-box height, pixels)",
    "stroke": f"2 * area / boundary of the pixels above {THRESHOLD}: the width of a ribbon "
              "(area = w * length, boundary = 2 * length), in pixels",
}


def _grid() -> tuple[torch.Tensor, torch.Tensor]:
    """x and y of every pixel (28 x 28 each, float64), in the module's centred coordinates."""
    centre = (SIZE - 1) / 2
    idx = torch.arange(SIZE, dtype=torch.float64)
    return (idx - centre).expand(SIZE, SIZE), (centre - idx).unsqueeze(1).expand(SIZE, SIZE)


def _ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """num / den, NaN where den is 0 (an undefined ratio, not an infinite one)."""
    return torch.where(den > 0, num / den.clamp_min(1e-300), torch.full_like(num, float("nan")))


def moments(images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Mass m = sum I, centroid (mean_x, mean_y) and central second moments mu20, mu02, mu11
    of each image (NaN where m = 0), each a float64 vector of length N."""
    img = images.detach().reshape(-1, SIZE, SIZE).double().clamp_min(0).cpu()
    x, y = _grid()
    mass = img.sum((1, 2))

    def mean(f: torch.Tensor) -> torch.Tensor:  # sum f I / m over each image
        return _ratio((img * f).sum((1, 2)), mass)

    mx, my = mean(x), mean(y)
    dx, dy = x - mx.view(-1, 1, 1), y - my.view(-1, 1, 1)
    return {"mass": mass, "mean_x": mx, "mean_y": my,
            "mu20": mean(dx * dx), "mu02": mean(dy * dy), "mu11": mean(dx * dy)}


def slant(m: dict[str, torch.Tensor]) -> torch.Tensor:
    """mu11 / mu02: for ink along x = a + s y (a bar sheared by s), mu11 = s mu02, so this is s;
    NaN where the ink has no vertical extent (mu02 = 0) or there is no ink."""
    mu02 = torch.nan_to_num(m["mu02"], nan=0.0)
    return _ratio(m["mu11"], torch.where(mu02 > 1e-12, mu02, torch.zeros_like(mu02)))


def extent(mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Pixels spanned along ``dim`` by each mask (N x 28 x 28): last - first inked line + 1, 0 if empty."""
    lines = mask.any(dim=dim)  # N x 28: which columns (dim=1) or rows (dim=2) hold ink
    idx = torch.arange(SIZE)
    first = torch.where(lines, idx, SIZE).min(1).values
    last = torch.where(lines, idx, -1).max(1).values
    return (last - first + 1).clamp_min(0).double()


def stroke_width(mask: torch.Tensor) -> torch.Tensor:
    """2 * area / boundary of each mask: area = inked pixels, boundary = pixel edges between an
    inked pixel and a blank one (or the image border). A ribbon of width w and length L has
    area w L and boundary about 2 L, so this reads w; a w x h bar gives w h / (w + h). NaN if empty."""
    m = mask.double()
    padded = torch.nn.functional.pad(m, (1, 1, 1, 1))
    boundary = ((padded[:, 1:, :] - padded[:, :-1, :]).abs().sum((1, 2))
                + (padded[:, :, 1:] - padded[:, :, :-1]).abs().sum((1, 2)))
    return _ratio(2 * m.sum((1, 2)), boundary)


def style_attributes(images: torch.Tensor, threshold: float = THRESHOLD) -> pd.DataFrame:
    """The attributes of ``ATTRIBUTES`` for each image (N x 1 x 28 x 28 in [0, 1]): one row per
    image, one column per attribute, float64; NaN where an attribute is undefined (see module doc)."""
    m = moments(images)
    mask = images.detach().reshape(-1, SIZE, SIZE).cpu() > threshold
    columns = {
        "ink": m["mass"] / SIZE ** 2,
        "centroid_x": m["mean_x"],
        "centroid_y": m["mean_y"],
        "spread_x": m["mu20"].sqrt(),
        "spread_y": m["mu02"].sqrt(),
        "slant": slant(m),
        "width": extent(mask, dim=1),
        "height": extent(mask, dim=2),
        "stroke": stroke_width(mask),
    }
    return pd.DataFrame({name: col.numpy() for name, col in columns.items()})[list(ATTRIBUTES)]


def filled(attributes: pd.DataFrame) -> np.ndarray:
    """The attributes as an N x A float array for a probe or a regression: an undefined value
    (NaN, an empty image) replaced by its attribute's mean over the other images (0 if all are NaN)."""
    return attributes.fillna(attributes.mean()).fillna(0.0).to_numpy(dtype=np.float64)
