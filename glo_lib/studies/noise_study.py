"""The noise study (notebook 02): its grid, seed summaries, the rule that picks a sigma, its sentences."""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd
import torch

from ..checks import check_int, check_list, check_number
from ..core.train import Run
from ..measures.metrics import diversity, transfer_images

#: measures of `metrics.evaluate` the study reports, with the words the report uses for them
MEASURES = {
    "mse": "reconstruction MSE",
    "transfer_accuracy": "class-transfer accuracy",
    "diversity": "within-class diversity",
    "probe_logreg": "probe accuracy (logistic)",
    "probe_mlp": "probe accuracy (MLP)",
    "content_norm": "content-code norm",
}


def check_study(sigmas, content_decays, seeds, judge_epochs, n_generated, mse_tolerance,
                evolution_epochs) -> None:
    """Fail early, naming the parameter, before any run is trained."""
    check_list("sigmas", sigmas, float, minimum=0.0)
    check_list("content_decays", content_decays, float, minimum=0.0)
    check_list("seeds", seeds, int, minimum=0)
    check_list("evolution_epochs", evolution_epochs, int, minimum=1)
    check_int("judge_epochs", judge_epochs, 1)
    check_int("n_generated", n_generated, 2)
    check_number("mse_tolerance", mse_tolerance, note="0.1 = 10%")


def study_grid(sigmas: Sequence[float], content_decays: Sequence[float], seeds: Sequence[int],
               content_decay: float, seed: int, smoke: bool = False) -> dict[str, list]:
    """The sweep grid. The figures' decay and seed are always part of it; smoke keeps the
    smallest and largest sigma and the figures' seed only."""
    sigmas = sorted(float(s) for s in sigmas)
    if smoke:
        sigmas, seeds = sorted({sigmas[0], sigmas[-1]}), [seed]
    return {"noise_std": sigmas,
            "content_decay": sorted({float(d) for d in content_decays} | {float(content_decay)}),
            "seed": sorted(set(seeds) | {seed})}


def by_key(runs: Iterable[Run]) -> dict[tuple[float, float, int], Run]:
    """Runs looked up by (noise_std, content_decay, seed)."""
    return {(r.config.noise_std, r.config.content_decay, r.config.seed): r for r in runs}


def fixed_ids(labels: torch.Tensor, per_class: int) -> torch.Tensor:
    """The first ``per_class`` training images of each digit, digit by digit: the same images
    in every figure of a seed."""
    ids = [torch.nonzero(labels == k).flatten()[:per_class] for k in range(10)]
    return torch.cat(ids)


def choose_sigma(means: pd.DataFrame, mse_tolerance: float) -> dict:
    """The stated rule: among the sigmas whose mean reconstruction MSE is within ``mse_tolerance``
    (relative) of the lowest, the one with the highest mean class-transfer accuracy; a tie
    goes to the lower MSE. ``means`` is indexed by sigma with columns mse, transfer_accuracy."""
    best_mse = means["mse"].min()
    limit = best_mse * (1 + mse_tolerance)
    eligible = means[means["mse"] <= limit]
    pick = eligible.sort_values(["transfer_accuracy", "mse"], ascending=[False, True]).index[0]
    return {"sigma": float(pick), "best_mse": float(best_mse), "best_mse_sigma": float(means["mse"].idxmin()),
            "limit": float(limit), "eligible": [float(s) for s in eligible.index],
            "excluded": [float(s) for s in means.index if s not in eligible.index],
            "mse": float(means.loc[pick, "mse"]), "accuracy": float(means.loc[pick, "transfer_accuracy"])}


def decay_differences(rows: pd.DataFrame, measures: Sequence[str], off: float, on: float) -> pd.DataFrame:
    """Per sigma: the paired difference (decay on minus off, same seed) of each measure, as mean
    and std over seeds, and whether it is clear: every seed moves the same way, by more than the
    seed-to-seed spread of the difference (never with a single seed)."""
    key = ["noise_std", "seed"]
    a = rows[rows.content_decay == off].set_index(key)[list(measures)]
    b = rows[rows.content_decay == on].set_index(key)[list(measures)]
    diff = (b - a.reindex(b.index)).dropna(how="all")
    g = diff.groupby(level="noise_std")
    mean, std, n = g.mean(), g.std(), g.count()
    agree = g.agg(lambda d: max((d > 0).sum(), (d < 0).sum()))  # seeds agreeing on the direction
    clear = (agree == n) & (n > 1) & (mean.abs() > std)
    return pd.concat({"mean": mean, "std": std, "clear": clear}, axis=1)


def class_diversity(run: Run) -> pd.Series:
    """Within-class diversity of the reconstructions, digit by digit (1 = as varied as the data)."""
    d = run.digits
    recon = run.reconstructions()
    return pd.Series({k: diversity(recon[d.labels == k], d.labels[d.labels == k],
                                   d.images[d.labels == k], d.labels[d.labels == k]) for k in range(10)})


def transfer_rows(runs: Mapping[str, Run], ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """For each named run, one row per image: the real image, then its content code drawn with
    each of the ten class codes (columns 0..9)."""
    rows = {}
    for name, run in runs.items():
        images, _ = transfer_images(run.model, run.model.content.detach()[ids])
        for j, i in enumerate(ids.tolist()):
            real = run.digits.images[i:i + 1]
            rows[f"{name}, image {j + 1}"] = torch.cat([real, images[j * 10:(j + 1) * 10]])
    return rows


def evolution_rows(run: Run, ids: torch.Tensor, epochs: Sequence[int]) -> dict[str, torch.Tensor]:
    """Ground truth, then the noise-free reconstructions at each kept epoch and at the end."""
    labels = run.digits.labels[ids]
    rows = {"ground truth": run.digits.images[ids]}
    for e in epochs:
        if e != run.config.epochs:
            rows[f"epoch {e}"] = run.model_at(e).reconstruct(ids, labels).cpu()
    rows[f"epoch {run.config.epochs} (final)"] = run.reconstructions(ids)
    return rows
