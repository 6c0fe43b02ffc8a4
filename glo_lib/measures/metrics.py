"""Measures of reconstruction, disentanglement and sample quality, shared by notebooks and report."""
from __future__ import annotations

import math
import warnings
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..core.judge import Judge
from ..core.model import GLOModel
from ..core.train import Run, initial_model
from .sampling import sample


def reconstruction_error(recon: torch.Tensor, images: torch.Tensor) -> dict[str, float]:
    """Per-pixel MSE, mean (x - y)^2, and L1, mean |x - y|, of noise-free reconstructions."""
    return {"mse": F.mse_loss(recon, images).item(), "l1": F.l1_loss(recon, images).item()}


def transfer_images(model: GLOModel, content: torch.Tensor, n_classes: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    """Every content code rendered with every class code: images (N*K) and the class used."""
    n = len(content)
    class_ids = torch.arange(n_classes).repeat(n)  # image i, class k at row i*K + k
    codes = content.detach().cpu().repeat_interleave(n_classes, dim=0)
    return model.eval().generate_from_ids(class_ids, codes).cpu(), class_ids


def judge_agreement(judge: Judge, images: torch.Tensor, intended: torch.Tensor) -> float:
    """Share of images the judge assigns to the intended class."""
    return (judge.predict(images) == intended.cpu()).float().mean().item()


def class_transfer(model: GLOModel, judge: Judge, content: Optional[torch.Tensor] = None) -> dict:
    """Class-transfer accuracy: does the class code decide the digit, whatever the content?

    Returns the accuracy and the confusion matrix (rows: class code used; columns: judge's call).
    """
    images, used = transfer_images(model, model.content if content is None else content)
    pred = judge.predict(images)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (used.numpy(), pred.numpy()), 1)
    return {"accuracy": (pred == used).float().mean().item(), "confusion": confusion}


def leakage_probe(codes: torch.Tensor, labels: torch.Tensor, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """How well the label can be read from content codes (stratified k-fold, scaled inside folds).

    Logistic regression (linear leakage) and a small MLP (non-linear), against chance (1/K)
    and the majority-class baseline. High accuracy = class information left in the content.
    """
    x, y = codes.detach().cpu().double().numpy(), labels.cpu().numpy()
    folds = max(2, min(folds, int(np.bincount(y).min())))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    models = {
        "logreg": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "mlp": make_pipeline(StandardScaler(), MLPClassifier((64,), solver="lbfgs", alpha=1e-3, max_iter=500, random_state=seed)),
        "majority": DummyClassifier(strategy="most_frequent"),
    }
    out: dict[str, float] = {"chance": 1.0 / len(np.unique(y)), "folds": folds}
    # one BLAS thread: on a few hundred 16-d codes, more threads only wait for each other (5x slower)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, est in models.items():
            scores = cross_val_score(est, x, y, cv=cv)
            out[name], out[f"{name}_std"] = float(scores.mean()), float(scores.std())
    return out


def mean_pairwise_distance(images: torch.Tensor) -> float:
    """Mean Euclidean distance between all pairs of images (flattened)."""
    flat = images.detach().reshape(len(images), -1).double()
    return torch.pdist(flat).mean().item() if len(flat) > 1 else float("nan")


def diversity(generated: torch.Tensor, gen_labels: torch.Tensor, real: torch.Tensor,
              real_labels: torch.Tensor) -> float:
    """Within-class diversity of generated images relative to real ones, averaged over classes.

    1.0 = as varied as the real digits of the class; near 0 = every digit of a class alike.
    """
    ratios = []
    for k in torch.unique(gen_labels):
        g, r = generated[gen_labels == k], real[real_labels == k]
        if len(g) > 1 and len(r) > 1:
            ratios.append(mean_pairwise_distance(g) / mean_pairwise_distance(r))
    return float(np.mean(ratios)) if ratios else float("nan")


def frechet_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (FID, Heusel et al. 2017):
    |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)).
    """
    a, b = a.detach().double().cpu().numpy(), b.detach().double().cpu().numpy()
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # Tr((S_a S_b)^(1/2)) = Tr((R S_b R)^(1/2)) with R = S_a^(1/2): a symmetric PSD matrix whose
    # eigenvalues are real, so singular covariances (dead ReLU features) give no complex noise
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ s_b @ root_a), 0, None)).sum()
    value = float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * cross)
    return max(value, 0.0)


def sample_quality(model: GLOModel, judge: Judge, real: torch.Tensor, n: int = 1000,
                   sampler: str = "gaussian", seed: int = 0, labels: Optional[torch.Tensor] = None) -> dict:
    """Judge agreement (when samples have an intended class) and Frechet distance to ``real``."""
    images, intended = sample(model, n, sampler, seed, labels=labels)
    agree = judge_agreement(judge, images, intended) if intended is not None else float("nan")
    fd = frechet_distance(judge.features(images), judge.features(real))
    return {"agreement": agree, "frechet": fd, "images": images, "intended": intended}


def relative_ink(images: torch.Tensor, real: torch.Tensor) -> float:
    """Mean brightness of ``images`` over that of ``real``: 1 = as much ink as the real digits."""
    return float(images.mean() / real.mean())


def content_norm(content: torch.Tensor) -> float:
    """Mean Euclidean length of the content codes, mean_i |c_i| (what the content decay shrinks)."""
    return content.detach().norm(dim=1).mean().item()


def content_variance(content: torch.Tensor) -> float:
    """Variance of the content codes across images, averaged over their dimensions."""
    return content.detach().double().var(dim=0).mean().item()


def content_shift(run: Run) -> float:
    """How far training moved the content codes: mean |c_final - c_start| / mean |c_start|."""
    _, start = initial_model(run.config, len(run.digits.labels), run.digits.n_classes)
    c0, c1 = start.content.detach(), run.model.content.detach().cpu()
    return ((c1 - c0).norm(dim=1).mean() / c0.norm(dim=1).mean()).item()


def content_bits(content_dim: int, variance: float, sigma: float) -> float:
    """Most bits a content code can carry through the training noise: the capacity of content_dim
    Gaussian channels of signal variance ``variance`` and noise sigma^2 (Shannon 1948),
    (content_dim / 2) * log2(1 + variance / sigma^2); without noise it is unbounded."""
    if sigma <= 0:
        return math.inf
    return content_dim / 2 * math.log2(1 + variance / sigma ** 2)
