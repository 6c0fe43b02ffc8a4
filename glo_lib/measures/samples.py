"""Measures of a set of generated images, read by the judge: how many show the class they were
drawn for, how varied and how close to real digits they are, and how well the class survives
noise on the content codes."""
from __future__ import annotations

from typing import Optional, Sequence

import pandas as pd
import torch

from ..core.judge import Judge
from ..core.model import GLOModel
from .metrics import diversity, frechet_distance, judge_agreement
from .sampling import noisy_generations


def most_judged(judged: torch.Tensor, n_classes: int = 10) -> tuple[int, float]:
    """The class the judge calls most often and the share of images it calls so (0.1 = an even
    spread over ten classes)."""
    counts = torch.bincount(judged, minlength=n_classes)
    top = int(counts.argmax())
    return top, counts[top].item() / len(judged)


def drawn_measures(judge: Judge, images: torch.Tensor, intended: Optional[torch.Tensor], real_labels: torch.Tensor,
                   real: torch.Tensor, real_features: torch.Tensor) -> tuple[dict, torch.Tensor]:
    """The measures of one set of drawn images, and the judge's call on each.

    ``agreement``: share the judge reads as the intended class (NaN when none was intended);
    ``diversity``: within-class, relative to ``real`` (classes by the judge's call when none was
    intended); ``frechet``: distance to ``real_features`` in the judge's feature space;
    ``most_judged`` and its share: the class the judge calls most often.
    """
    judged = judge.predict(images)
    top, share = most_judged(judged)
    row = {
        "images": len(images),
        "agreement": judge_agreement(judge, images, intended) if intended is not None else float("nan"),
        # without an intended class, the judge's call groups the images into classes
        "diversity": diversity(images, intended if intended is not None else judged, real, real_labels),
        "frechet": frechet_distance(judge.features(images), real_features),
        "most_judged": top,
        "most_judged_share": share,
    }
    return row, judged


def noise_agreement(model: GLOModel, judge: Judge, labels: torch.Tensor, scales: Sequence[float],
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
