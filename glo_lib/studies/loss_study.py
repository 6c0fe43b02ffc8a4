"""The loss comparison (notebook 03): its checks, its per-loss table and which loss ranks where (its words:
``narrative.losses``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pandas as pd
import torch

from ..core.config import GLOConfig
from ..core.data import load_digits
from ..core.judge import Judge, judge_or_load
from ..core.perceptual import vgg16_weights_path
from ..core.train import Run
from ..measures import registry
from ..measures.evaluate import cached_evaluate
from ..notation import LOSS_NAMES


#: measures of the per-loss table (columns of ``measure_runs``; headings and formats: ``measures.registry``,
#: as every other table prints them)
MEASURES = ("mse", "l1", "sharpness", "transfer_accuracy", "diversity")
#: where this table prints a measure otherwise than the registry: nowhere (one format per measure)
FORMATS: dict[str, str] = {}


def require_feature_net(cfg: GLOConfig, losses: Sequence[str]) -> None:
    """A missing VGG16 weights file stops the study here, before any training."""
    if "perceptual" in losses and cfg.perceptual_net == "vgg16":
        vgg16_weights_path()


def seed_judges(cfg: GLOConfig, seeds: Sequence[int]) -> dict[int, Judge]:
    """One judge per seed's held-out pool, trained once and cached, shared by the perceptual loss and the measures."""
    return {s: judge_or_load(load_digits(cfg.replace(seed=s)), epochs=cfg.perceptual_judge_epochs) for s in seeds}


def reconstruction_rows(runs: Sequence[Run], seed: int, n: int = 16) -> dict[str, torch.Tensor]:
    """The first ``n`` training digits of ``seed``, then their noise-free reconstructions under each loss."""
    mine = [r for r in runs if r.config.seed == seed]
    ids = torch.arange(n)
    rows = {"ground truth": mine[0].digits.images[ids]}
    rows.update({LOSS_NAMES[r.config.loss]: r.reconstructions(ids) for r in mine})
    return rows


def mean_histories(runs: Sequence[Run]) -> dict[str, pd.DataFrame]:
    """Per loss (named as the report writes it: "L1+L2"), its training history averaged over seeds
    epoch by epoch (in the order trained)."""
    by_loss: dict[str, list[pd.DataFrame]] = {}
    for r in runs:
        by_loss.setdefault(LOSS_NAMES[r.config.loss], []).append(r.history)
    return {loss: pd.concat(h).groupby("epoch", as_index=False).mean() for loss, h in by_loss.items()}


def measure_runs(runs: Sequence[Run], judges: dict[int, Judge], n_generated: int) -> pd.DataFrame:
    """Every measure of every run (one row each: ``evaluate``'s, the sharpness and ink of its
    reconstructions included) and whether the run is degenerate (see ``degenerate``)."""
    rows = pd.DataFrame([cached_evaluate(r, judges[r.config.seed], n_generated=n_generated) for r in runs])
    return rows.assign(degenerate=degenerate(rows["mse"]))


#: a run whose reconstruction MSE is more than this multiple of the median MSE of all runs of the
#: comparison failed to learn its digits (a collapse): every loss here is a reconstruction loss, and
#: the runs that train normally lie within a factor of about 1.5 of each other
DEGENERATE_MSE_RATIO = 2.0


def degenerate(mse: pd.Series) -> pd.Series:
    """Per run: whether its MSE exceeds DEGENERATE_MSE_RATIO times the median MSE of all runs."""
    return mse > DEGENERATE_MSE_RATIO * mse.median()


def normal_runs(measures: pd.DataFrame) -> pd.DataFrame:
    """The runs that trained normally: the means and rankings are over these only."""
    return measures[~measures["degenerate"]] if "degenerate" in measures else measures


@dataclass(frozen=True)
class LossMeans:
    """The measures per loss (rows in the order the losses were trained)."""
    mean: pd.DataFrame  # the table's measures and train_seconds, mean over seeds
    std: pd.DataFrame  # the table's measures, sample std over seeds (0 with a single seed)
    n_seeds: int


def loss_means(measures: pd.DataFrame) -> LossMeans:
    """Means and spreads over seeds of the rows of ``measure_runs``."""
    g = measures.groupby("loss", sort=False)
    return LossMeans(g[[*MEASURES, "train_seconds"]].mean(), g[list(MEASURES)].std().fillna(0.0),
                     int(measures["seed"].nunique()))


def measure_table(measures: pd.DataFrame) -> pd.DataFrame:
    """The table shown: per loss, "mean ± std" over its normal runs of each measure (the mean alone
    with one seed), then one row per degenerate run, flagged and left out of the means."""
    m = loss_means(normal_runs(measures))

    def cell(c: str, mean: float, std: Optional[float] = None) -> str:
        return registry.fmt_mean_std(c, mean, std, spec=FORMATS.get(c))

    cells = {registry.heading(c): [cell(c, m.mean.at[l, c], m.std.at[l, c] if m.n_seeds > 1 else None)
                                   for l in m.mean.index] for c in MEASURES}
    names = [LOSS_NAMES[l] for l in m.mean.index]
    bad = measures[measures["degenerate"]] if "degenerate" in measures else measures.iloc[:0]
    for _, row in bad.iterrows():
        for c in MEASURES:
            cells[registry.heading(c)].append(cell(c, row[c]))
        names.append(f"{LOSS_NAMES[row['loss']]}, seed {int(row['seed'])} (degenerate)")
    return pd.DataFrame(cells, index=pd.Index(names, name="loss"))


def ranking(means: LossMeans, column: str, best: str) -> tuple[list[str], pd.Series]:
    """Losses from best to worst on one measure (lowest, highest or closest to 1), and the sort key (lower wins)."""
    values = means.mean[column]
    key = {"low": values, "high": -values, "one": (values - 1).abs()}[best]
    return list(key.sort_values().index), key


