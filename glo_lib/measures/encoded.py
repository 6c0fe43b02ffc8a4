"""Measures of the codes the encoders give new digits (notebook 06), and the same measures of the
stage-1 codes they learned from."""
from __future__ import annotations

import math

import torch

from ..core.encoders import Amortized
from ..core.judge import Judge
from ..core.train import Run
from .metrics import class_transfer, leakage_probe, reconstruction_error


def classifier_accuracy(model: Amortized, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``images`` the class encoder names right (the class whose code is nearest)."""
    return (model.classify(images) == labels.cpu()).float().mean().item()


def measure_encoder(model: Amortized, judge: Judge, images: torch.Tensor, labels: torch.Tensor,
                    probe_folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Reconstruction error from encoded codes, class transfer of the encoded content codes (every
    one drawn as every digit, read by the judge), the class encoder as a classifier, and the leakage
    probes on the encoded content codes."""
    _, content = model.encode(images)
    probe = leakage_probe(content, labels, folds=probe_folds, seed=seed)
    return {"images": len(labels), **reconstruction_error(model.reconstruct(images), images),
            "transfer_accuracy": class_transfer(model, judge, content)["accuracy"],
            "classifier_accuracy": classifier_accuracy(model, images, labels),
            "probe_logreg": probe["logreg"], "probe_mlp": probe["mlp"], "probe_mlp_std": probe["mlp_std"],
            "chance": probe["chance"]}


def measure_stage1(run: Run, judge: Judge, probe_folds: int = 5, seed: int = 0) -> dict[str, float]:
    """The same measures of the stage-1 codes themselves (training digits only; no classifier: the
    class code is looked up from the label)."""
    digits, model = run.digits, run.model.eval()
    probe = leakage_probe(model.content, digits.labels, folds=probe_folds, seed=seed)
    return {"images": len(digits.labels), **reconstruction_error(run.reconstructions(), digits.images),
            "transfer_accuracy": class_transfer(model, judge)["accuracy"], "classifier_accuracy": math.nan,
            "probe_logreg": probe["logreg"], "probe_mlp": probe["mlp"], "probe_mlp_std": probe["mlp_std"],
            "chance": probe["chance"]}
