"""The sampling study (notebook 04): samplers side by side, measured with the shared measures.

For every sampler: judge agreement with the intended class (none for the course's random
vectors), within-class diversity relative to real digits, and the Frechet distance to real
held-out digits in the judge's feature space. Real training digits give a reference row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pandas as pd
import torch

from ..checks import check_names
from ..core.data import DIGIT_NAMES, ByClass, Digits, class_names_of
from ..core.judge import Judge
from ..core.model import GLOModel
from ..measures.interpolation import class_interpolation, content_interpolation, transfer_grid
from ..measures import registry
from ..measures.sampling import SAMPLERS, noisy_generations, sample
# noise_agreement: the notebook measures the noisy regenerations through this module
from ..measures.samples import drawn_measures, noise_agreement  # noqa: F401
from ..notation import SAMPLER_NAMES, SAMPLER_SHORT_NAMES

REFERENCE = "real training digits"

#: frames per interpolation path, both ends included
PATH_STEPS = 9
#: a class path starts at an image's own class and ends this many digits further round (mod 10),
#: so its two ends always differ
CLASS_STEP = 5
#: content-noise standard deviations of the static explorer figure: none, then up to about twice
#: the spread of the learned content codes (about 1 per dimension)
NOISE_SCALES = (0.0, 0.5, 1.0, 2.0)


@dataclass
class Drawn:
    """The images one sampler drew, the class each was meant to show (or None) and the judge's call."""

    images: torch.Tensor
    intended: Optional[torch.Tensor]
    judged: torch.Tensor


def compare_samplers(model: GLOModel, judge: Judge, train_labels: torch.Tensor, real: torch.Tensor,
                     real_labels: torch.Tensor, n: int = 1000, samplers: Sequence[str] = SAMPLERS,
                     seed: int = 0, train_images: Optional[torch.Tensor] = None
                     ) -> tuple[pd.DataFrame, dict[str, Drawn]]:
    """One row per sampler (plus the real training digits when given) and the images drawn.

    ``real``/``real_labels``: real digits the judge never trained on (``judge_test_set``).
    """
    samplers = check_names("samplers", samplers, SAMPLERS)
    real_features = judge.features(real)
    rows, drawn = [], {}
    for name in samplers:
        images, intended = sample(model, n, name, seed, labels=train_labels)
        row, judged = drawn_measures(judge, images, intended, real_labels, real, real_features)
        rows.append({"key": name, "sampler": SAMPLER_NAMES[name], **row})
        drawn[name] = Drawn(images, intended, judged)
    if train_images is not None:
        row, _ = drawn_measures(judge, train_images.cpu(), train_labels.cpu(), real_labels, real, real_features)
        rows.append({"key": "real", "sampler": REFERENCE, **row})
    table = pd.DataFrame(rows).set_index("key")
    table.attrs["class_names"] = class_names_of(model)  # what display_table and the sentences call a class
    return table, drawn


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """``compare_samplers``' table as the report prints it, in the registry's formats: shares as
    percentages with the unit in each cell, "n/a" where no class was intended."""
    def shown(c: str, missing: Optional[str] = None) -> list[str]:
        return [registry.fmt(c, x, unit=True, missing=missing) for x in table[c]]

    label = {c: registry.MEASURES[c].label for c in ("agreement", "diversity", "frechet")}
    top = [f"{class_name(table, k)} ({registry.fmt('most_judged_share', s, unit=True, missing='n/a')})"
           for k, s in zip(table["most_judged"], table["most_judged_share"])]
    return pd.DataFrame({
        "sampler": [SAMPLER_SHORT_NAMES.get(k, name) for k, name in zip(table.index, table["sampler"])],
        "images": table["images"],
        label["agreement"]: shown("agreement", missing="n/a"),
        label["diversity"]: shown("diversity"),
        label["frechet"]: shown("frechet"),
        f"top {_noun(table)} (share)": top,
    }).set_index("sampler")


def class_name(table: pd.DataFrame, k: float) -> str:
    """What ``compare_samplers``' table calls class ``k`` (the digit itself when no names came with it)."""
    return table.attrs.get("class_names", DIGIT_NAMES)[int(k)]


def _noun(table: pd.DataFrame) -> str:
    return "digit" if tuple(table.attrs.get("class_names", DIGIT_NAMES)) == DIGIT_NAMES else "class"


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """``compare_samplers``' table as the summary section reads it (agreement named for samples)."""
    return table.rename(columns={"agreement": "sample_agreement"})


def fitted_samplers(table: pd.DataFrame) -> list[str]:
    """The samplers of ``table`` that use learned class codes (not random vectors, not the real digits)."""
    return [k for k in table.index if k not in ("random", "real")]


def transfer_rows(model: GLOModel, digits: Digits, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per training image ``ids[i]``: the real image, then its content code as each class, named
    as ``digits`` names them."""
    grid = transfer_grid(model, ids).view(len(ids), 10, *digits.images.shape[1:])
    return ByClass({f"image {int(i)} (a {digits.class_name(digits.labels[i])})": torch.cat([digits.images[i][None], grid[r]])
                    for r, i in enumerate(ids)}, digits.class_names)


def content_path_rows(model: GLOModel, digits: Digits, pairs: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per pair (a, b): image a, the content path from a to b at a's class, image b."""
    rows = {}
    for a, b in pairs.tolist():
        label = int(digits.labels[a])
        path = content_interpolation(model, a, b, label, steps=PATH_STEPS)
        rows[f"class {label}: image {a} to {b}"] = torch.cat([digits.images[a][None], path, digits.images[b][None]])
    return rows


def class_path_rows(model: GLOModel, labels: torch.Tensor, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per training image: its content code moving from its own class code (t = 0 is its
    reconstruction) to the class CLASS_STEP digits further on."""
    rows = {}
    for i in ids.tolist():
        a = int(labels[i])
        b = (a + CLASS_STEP) % 10
        rows[f"image {i}: {a} to {b}"] = class_interpolation(model, model.content[i], a, b, steps=PATH_STEPS)
    return rows


def crossing_t(class_path: pd.DataFrame) -> Optional[float]:
    """Where the share of frames called class b first overtakes class a, interpolated linearly between the
    measured points as the figure draws them (None when it never does)."""
    t, gap = class_path.t.to_numpy(), (class_path["class b"] - class_path["class a"]).to_numpy()
    for i in range(1, len(t)):
        if gap[i] > 0 >= gap[i - 1]:
            return float(t[i - 1] + (t[i] - t[i - 1]) * -gap[i - 1] / (gap[i] - gap[i - 1]))
    return 0.0 if len(t) and gap[0] > 0 else None


def noisy_rows(model: GLOModel, digits: Digits, ids: torch.Tensor, scales: Sequence[float],
               seed: int = 0) -> dict[str, torch.Tensor]:
    """The real training images ``ids``, then their regenerations at each content-noise scale."""
    rows = {"real": digits.images[ids]}
    rows.update({f"noise {s:g}": noisy_generations(model, ids, digits.labels, s, seed) for s in scales})
    return rows


def content_spread(model: GLOModel) -> float:
    """Mean over dimensions of the standard deviation of the learned content codes."""
    return model.content.detach().std(0).mean().item()


