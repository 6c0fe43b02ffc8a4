"""The samplers of ``glo_lib.sampling`` side by side, measured with the shared measures.

For every sampler: judge agreement with the intended class (none for the course's random
vectors), within-class diversity relative to real digits, and the Frechet distance to real
held-out digits in the judge's feature space. Real training digits give a reference row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import matplotlib.pyplot as plt
import pandas as pd
import torch

from .judge import Judge
from .metrics import diversity, frechet_distance, judge_agreement
from .model import GLOModel
from .plots import class_counts, image_grid
from .sampling import SAMPLER_NAMES, SAMPLERS, sample

REFERENCE = "real training digits"


@dataclass
class Drawn:
    """The images one sampler drew, the class each was meant to show (or None) and the judge's call."""

    images: torch.Tensor
    intended: Optional[torch.Tensor]
    judged: torch.Tensor


def check_samplers(samplers: Sequence[str]) -> list[str]:
    """A non-empty list of known sampler names without repeats, or a ValueError saying what is allowed."""
    if isinstance(samplers, str) or not isinstance(samplers, (list, tuple)) or not samplers:
        raise ValueError(f"samplers must be a non-empty list drawn from {list(SAMPLERS)}, got {samplers!r}")
    unknown = [s for s in samplers if s not in SAMPLERS]
    if unknown:
        raise ValueError(f"samplers must be drawn from {list(SAMPLERS)}; unknown: {unknown}")
    if len(set(samplers)) != len(samplers):
        raise ValueError(f"samplers lists a sampler twice: {list(samplers)}")
    return list(samplers)


def _row(name: str, judge: Judge, images: torch.Tensor, intended: Optional[torch.Tensor],
         real: torch.Tensor, real_labels: torch.Tensor, real_features: torch.Tensor) -> tuple[dict, torch.Tensor]:
    judged = judge.predict(images)
    counts = torch.bincount(judged, minlength=10)
    top = int(counts.argmax())
    row = {
        "sampler": name,
        "images": len(images),
        "agreement": judge_agreement(judge, images, intended) if intended is not None else float("nan"),
        # without an intended class, the judge's call groups the images into classes
        "diversity": diversity(images, intended if intended is not None else judged, real, real_labels),
        "frechet": frechet_distance(judge.features(images), real_features),
        "most_judged": top,
        "most_judged_share": counts[top].item() / len(images),
    }
    return row, judged


def compare_samplers(model: GLOModel, judge: Judge, train_labels: torch.Tensor, real: torch.Tensor,
                     real_labels: torch.Tensor, n: int = 1000, samplers: Sequence[str] = SAMPLERS,
                     seed: int = 0, train_images: Optional[torch.Tensor] = None
                     ) -> tuple[pd.DataFrame, dict[str, Drawn]]:
    """One row per sampler (plus the real training digits when given) and the images drawn.

    ``real``/``real_labels``: real digits the judge never trained on (``judge_test_set``).
    """
    samplers = check_samplers(samplers)
    real_features = judge.features(real)
    rows, drawn = [], {}
    for name in samplers:
        images, intended = sample(model, n, name, seed, labels=train_labels)
        row, judged = _row(SAMPLER_NAMES[name], judge, images, intended, real, real_labels, real_features)
        rows.append({"key": name, **row})
        drawn[name] = Drawn(images, intended, judged)
    if train_images is not None:
        row, _ = _row(REFERENCE, judge, train_images.cpu(), train_labels.cpu(), real, real_labels, real_features)
        rows.append({"key": "real", **row})
    return pd.DataFrame(rows).set_index("key"), drawn


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """``compare_samplers``' table as the report prints it: percentages, "n/a" where no class was intended."""
    def pct(x: float) -> str:
        return "n/a" if x != x else f"{x:.1%}"

    return pd.DataFrame({
        "sampler": table["sampler"],
        "images": table["images"],
        "judge agreement": table["agreement"].map(pct),
        "diversity": table["diversity"].map(lambda x: f"{x:.2f}"),
        "Frechet distance": table["frechet"].map(lambda x: f"{x:.1f}"),
        "digit judged most (share)": [f"{int(k)} ({pct(s)})" for k, s in
                                      zip(table["most_judged"], table["most_judged_share"])],
    }).set_index("sampler")


def by_class(images: torch.Tensor, classes: torch.Tensor, per_class: int = 4, n_classes: int = 10) -> torch.Tensor:
    """``per_class`` images of each class, laid out so that column k of a 10-wide grid is class k.

    A class with too few images leaves blank (zero) cells.
    """
    rows = []
    for r in range(per_class):
        for k in range(n_classes):
            ids = (classes.cpu() == k).nonzero().flatten()
            rows.append(images[ids[r]] if r < len(ids) else torch.zeros_like(images[0]))
    return torch.stack(rows)


def samplers_figure(drawn: dict[str, Drawn], per_class: int = 4) -> plt.Figure:
    """One panel per sampler: fitted samplers by intended class (column k = digit k); random in draw order."""
    fig, axes = plt.subplots(1, len(drawn), figsize=(4.2 * len(drawn), 0.4 * per_class + 0.6), squeeze=False)
    for ax, (name, d) in zip(axes[0], drawn.items()):
        images = d.images[: per_class * 10] if d.intended is None else by_class(d.images, d.intended, per_class)
        image_grid(images, nrow=10, ax=ax)
        ax.set_title(SAMPLER_NAMES[name], fontsize=13)
    fig.tight_layout()
    return fig


def judged_classes_figure(drawn: dict[str, Drawn]) -> plt.Figure:
    """How often the judge calls each digit, per sampler (a sampler covering all digits is flat)."""
    fig, axes = plt.subplots(1, len(drawn), figsize=(3.6 * len(drawn), 2.6), squeeze=False, sharey=True)
    for ax, (name, d) in zip(axes[0], drawn.items()):
        class_counts(d.judged, ax=ax)
        ax.set_title(SAMPLER_NAMES[name], fontsize=9)
        ax.set_xlabel("digit called by the judge")
    fig.tight_layout()
    return fig
