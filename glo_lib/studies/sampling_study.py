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
from ..core.judge import Judge
from ..core.model import GLOModel
from ..measures.metrics import diversity, frechet_distance, judge_agreement
from ..measures.sampling import SAMPLER_NAMES, SAMPLERS, sample
from ..seeding import seeded_generator

REFERENCE = "real training digits"


@dataclass
class Drawn:
    """The images one sampler drew, the class each was meant to show (or None) and the judge's call."""

    images: torch.Tensor
    intended: Optional[torch.Tensor]
    judged: torch.Tensor


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
    samplers = check_names("samplers", samplers, SAMPLERS)
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


def noisy_generations(model, ids: torch.Tensor, labels: torch.Tensor, noise_scale: float,
                      seed: int = 0) -> torch.Tensor:
    """Training images ``ids`` regenerated with their own class and content code plus noise."""
    gen = seeded_generator(seed, "noisy-generations")
    ids = torch.as_tensor(ids).cpu()
    content = model.content.detach().cpu()[ids]
    noisy = content + noise_scale * torch.randn(content.shape, generator=gen)
    return model.eval().generate(labels.cpu()[ids], noisy).cpu()


def noise_agreement(model, judge: Judge, labels: torch.Tensor, scales: Sequence[float],
                    seed: int = 0) -> pd.DataFrame:
    """For each content-noise scale: every training image's content code plus noise, its own class.

    ``agreement``: share the judge still calls the intended digit; ``pixel_change``: mean
    absolute pixel difference from the noise-free image (how much the noise changes the picture).
    """
    labels = labels.cpu()
    ids = torch.arange(len(labels))
    clean = noisy_generations(model, ids, labels, 0.0)
    rows = []
    for s in scales:
        images = noisy_generations(model, ids, labels, float(s), seed)
        rows.append({"noise_scale": float(s),
                     "agreement": (judge.predict(images) == labels).float().mean().item(),
                     "pixel_change": (images - clean).abs().mean().item()})
    return pd.DataFrame(rows)
