"""Drawing new codes for a trained model: the course's random vectors and two fitted samplers."""
from __future__ import annotations

from typing import Optional

import torch
from sklearn.covariance import LedoitWolf

from ..checks import check_choice, check_int
from ..core.model import GLOModel
from ..seeding import seeded_generator

#: the samplers, by key (how the report names them: ``notation.SAMPLER_NAMES``)
SAMPLERS = ("random", "gaussian", "per_class")


def fit_gaussian(codes: torch.Tensor, shrink: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and full covariance of ``codes`` (rows); Ledoit-Wolf shrinkage when rows are few."""
    x = codes.detach().double().cpu()
    if shrink:
        cov = torch.as_tensor(LedoitWolf().fit(x.numpy()).covariance_)
    else:
        cov = torch.cov(x.T, correction=1)
    return x.mean(0), cov


def sample_gaussian(mean: torch.Tensor, cov: torch.Tensor, n: int, gen: torch.Generator) -> torch.Tensor:
    """``n`` draws from N(mean, cov), via a Cholesky factor (a tiny ridge keeps it positive)."""
    ridge = 1e-6 * torch.eye(len(mean), dtype=cov.dtype) * cov.diagonal().mean().clamp_min(1e-12)
    chol = torch.linalg.cholesky(cov + ridge)
    z = torch.randn(n, len(mean), generator=gen, dtype=torch.float64)
    return (mean + z @ chol.T).float()


def sample(model: GLOModel, n: int, sampler: str = "gaussian", seed: int = 0,
           labels: Optional[torch.Tensor] = None) -> tuple[torch.Tensor, Optional[torch.Tensor]]:
    """``n`` generated images and the class each was asked to show (None for "random").

    random: both codes N(0, 1) vectors, as the course report did; gaussian: a learned class
    code with a content code from a Gaussian fitted to all content codes; per_class: the
    content Gaussian is fitted to the codes of the chosen class only (needs ``labels``).
    """
    check_choice("sampler", sampler, SAMPLERS)
    check_int("n", n, 1)
    gen = seeded_generator(seed, f"sample-{sampler}")
    model = model.eval()
    content = model.content.detach().cpu()
    if sampler == "random":
        cls = torch.randn(n, model.classes.shape[1], generator=gen)
        con = torch.randn(n, content.shape[1], generator=gen)
        dev = model.classes.device  # the codes are drawn on the CPU, so a seed means the same everywhere
        return model.generate_from_codes(cls.to(dev), con.to(dev)).cpu(), None
    n_classes = model.classes.shape[0]
    class_ids = torch.arange(n) % n_classes  # every class equally often
    class_ids = class_ids[torch.randperm(n, generator=gen)]
    if sampler == "gaussian":
        codes = sample_gaussian(*fit_gaussian(content), n, gen)
    else:
        if labels is None or len(labels) != len(content):
            raise ValueError("sampler 'per_class' needs the labels of the training images "
                             f"({len(content)} of them), got {None if labels is None else len(labels)}")
        codes = torch.empty(n, content.shape[1])
        for k in range(n_classes):
            rows = class_ids == k
            if rows.any():
                mean, cov = fit_gaussian(content[labels.cpu() == k], shrink=True)
                codes[rows] = sample_gaussian(mean, cov, int(rows.sum()), gen)
    return model.generate_from_ids(class_ids, codes).cpu(), class_ids


def noisy_generations(model: GLOModel, ids: torch.Tensor, labels: torch.Tensor, noise_scale: float,
                      seed: int = 0) -> torch.Tensor:
    """Training images ``ids`` regenerated with their own class and content code plus Gaussian noise
    of standard deviation ``noise_scale``."""
    gen = seeded_generator(seed, "noisy-generations")
    ids = torch.as_tensor(ids).cpu()
    content = model.content.detach().cpu()[ids]
    noisy = content + noise_scale * torch.randn(content.shape, generator=gen)
    return model.eval().generate_from_ids(labels.cpu()[ids], noisy).cpu()
