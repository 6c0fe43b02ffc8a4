"""The loss comparison (notebook 03): its checks, its per-loss table, which loss wins on what, its sentences."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pandas as pd
import torch

from ..checks import ParameterError, check_list, check_names
from ..core.config import LOSSES, GLOConfig
from ..core.data import load_digits
from ..core.judge import Judge, judge_or_load
from ..core.perceptual import vgg16_weights_path
from ..core.sweep import SweepResult
from ..core.train import Run
from ..measures.evaluate import cached_evaluate
from ..measures.sharpness import relative_sharpness
from ..prose import plural

#: measures of the per-loss table (columns of ``measure_runs``), with their column headers
MEASURES = {"mse": "MSE", "l1": "L1", "sharpness": "sharpness", "transfer_accuracy": "class transfer",
            "diversity": "diversity"}

#: (measure, what winning it means, what is best: "low", "high" or "one" = closest to the real digits)
VERDICTS = (("mse", "lowest MSE", "low"), ("l1", "lowest L1 error", "low"),
            ("sharpness", "sharpness closest to the real digits", "one"),
            ("transfer_accuracy", "highest class-transfer accuracy", "high"),
            ("diversity", "diversity closest to the real digits", "one"))

#: the loss the perceptual loss's training time is told against when it was run: Table 1's default
COST_REFERENCE = "l1+l2"


def check_study(losses, seeds) -> None:
    """Fail early, naming the parameter, before any run is trained."""
    try:
        check_names("losses", losses, LOSSES)
    except ValueError:
        # one message for every way the list can be wrong: it says all that is allowed
        raise ParameterError("losses", f"losses must be a non-empty list of distinct names from {', '.join(LOSSES)}; "
                         f"got {losses!r}") from None
    check_list("seeds", seeds, int, minimum=0)


def smoke_judge(cfg: GLOConfig) -> GLOConfig:
    """Smoke mode: a one-epoch judge, both as the perceptual loss's network and for the measures."""
    return cfg.replace(perceptual_judge_epochs=1)


def run_seeds(seed: int, seeds: Sequence[int], smoke: bool = False) -> list[int]:
    """The seeds every loss is trained with: the figures' seed first; smoke keeps that one only."""
    return [seed] if smoke else list(dict.fromkeys([seed, *seeds]))


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
    rows.update({r.config.loss: r.reconstructions(ids) for r in mine})
    return rows


def mean_histories(runs: Sequence[Run]) -> dict[str, pd.DataFrame]:
    """Per loss, its training history averaged over seeds epoch by epoch (in the order trained)."""
    by_loss: dict[str, list[pd.DataFrame]] = {}
    for r in runs:
        by_loss.setdefault(r.config.loss, []).append(r.history)
    return {loss: pd.concat(h).groupby("epoch", as_index=False).mean() for loss, h in by_loss.items()}


def measure_runs(runs: Sequence[Run], judges: dict[int, Judge], n_generated: int) -> pd.DataFrame:
    """Every measure of every run (one row each), with the sharpness of its reconstructions."""
    return pd.DataFrame([{**cached_evaluate(r, judges[r.config.seed], n_generated=n_generated),
                          "sharpness": relative_sharpness(r.reconstructions(), r.digits.images)} for r in runs])


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
    """The table shown: per loss, "mean ± std" of each measure (the mean alone with one seed)."""
    m = loss_means(measures)
    cells = {header: [f"{m.mean.at[l, c]:.4f} ± {m.std.at[l, c]:.4f}" if m.n_seeds > 1 else f"{m.mean.at[l, c]:.4g}"
                      for l in m.mean.index] for c, header in MEASURES.items()}
    table = pd.DataFrame(cells, index=list(m.mean.index))
    table.index.name = "loss"
    return table


def runs_sentence(result: SweepResult) -> str:
    """How many runs were trained or loaded, on how much data."""
    cfg = result.runs[0].config
    losses = list(dict.fromkeys(r.config.loss for r in result.runs))
    seeds = list(dict.fromkeys(r.config.seed for r in result.runs))
    return (f"{len(losses)} loss{'es' if len(losses) > 1 else ''} × {plural(len(seeds), 'seed')} "
            f"({', '.join(map(str, seeds))}), {cfg.n_samples} digits and {cfg.epochs} epochs each: "
            f"{result.summary()}.")


def curves_caption(n_seeds: int) -> str:
    """The caption of the training curves (means over seeds when there are several)."""
    return ("Per epoch, for each loss: the loss it optimised (left, log scale), and the MSE (middle) and "
            "L1 error (right) of its noise-free reconstructions" +
            (f"; means over {n_seeds} seeds." if n_seeds > 1 else "."))


def table_caption(measures: pd.DataFrame) -> str:
    """The caption of ``measure_table``."""
    n = int(measures["seed"].nunique())
    return (f"Measures per loss, mean{' ± standard deviation' if n > 1 else ''} over {plural(n, 'seed')}; "
            f"sharpness and diversity are relative to real digits (1 = like MNIST).")


def ranking(means: LossMeans, column: str, best: str) -> tuple[list[str], pd.Series]:
    """Losses from best to worst on one measure (lowest, highest or closest to 1), and the sort key (lower wins)."""
    values = means.mean[column]
    key = {"low": values, "high": -values, "one": (values - 1).abs()}[best]
    return list(key.sort_values().index), key


def verdict(means: LossMeans, column: str, name: str, best: str) -> str:
    """One line: the winner on a measure, the runner-up and the last, and whether the lead beats seed noise."""
    order, key = ranking(means, column, best)
    mean, std = means.mean, means.std
    if len(order) == 1:
        return f"- {name}: {order[0]} ({mean.at[order[0], column]:.4f})"
    win, second, last = order[0], order[1], order[-1]
    # clear: the lead is larger than the two losses' spreads between seeds added up
    clear = key[second] - key[win] > std.at[win, column] + std.at[second, column]
    spread = ("" if means.n_seeds == 1 else
              ", by more than the spread between seeds" if clear else ", within the spread between seeds")
    return (f"- {name}: **{win}** ({mean.at[win, column]:.4f}), ahead of {second} ({mean.at[second, column]:.4f})"
            f"{spread}; last {last} ({mean.at[last, column]:.4f})")


def wins_sentence(measures: pd.DataFrame) -> str:
    """Which loss wins on what, measure by measure, and how many measures each winner takes."""
    means = loss_means(measures)
    wins = pd.Series([ranking(means, c, b)[0][0] for c, _, b in VERDICTS]).value_counts()
    lines = "\n".join(verdict(means, *v) for v in VERDICTS)
    tally = "; ".join(f"{l} wins {n} of {len(VERDICTS)} measures" for l, n in wins.items())
    return f"Which loss wins on what:\n\n{lines}\n\n{tally}."


def blur_sentence(measures: pd.DataFrame) -> Optional[str]:
    """Whether L2 blurs: are its reconstructions the least sharp? None without L2 or without a rival."""
    sharpness = loss_means(measures).mean["sharpness"]
    if "l2" not in sharpness.index or len(sharpness) < 2:
        return None
    blurriest, sharpest = sharpness.idxmin(), sharpness.idxmax()
    l2_sharp = f"{sharpness['l2']:.2f} of the real digits' Laplacian variance"
    if blurriest == "l2":
        return (f"L2 blurs, as expected: its reconstructions are the blurriest, with {l2_sharp}, against "
                f"{sharpness[sharpest]:.2f} for {sharpest}.")
    return (f"The claim that L2 blurs does not hold here: its reconstructions have {l2_sharp}, and "
            f"{blurriest}'s are blurrier ({sharpness[blurriest]:.2f}).")


def perceptual_sentence(measures: pd.DataFrame, perceptual_net: str) -> Optional[str]:
    """The perceptual loss's network, its cost in time and the judge caveat; None when it was not run."""
    seconds = loss_means(measures).mean["train_seconds"]
    if "perceptual" not in seconds.index:
        return None
    others = [l for l in seconds.index if l != "perceptual"]
    ref = COST_REFERENCE if COST_REFERENCE in others else (others[0] if others else None)
    cost = (f" Training it took {seconds['perceptual'] / seconds[ref]:.1f} times as long as {ref} (recorded "
            f"times; benchmarks/bench_train.py measures it side by side).") if ref else ""
    caveat = (" Its feature network is the judge that also scores class transfer, so that column may flatter it: "
              "the run was trained to look right to that very network." if perceptual_net == "judge" else "")
    return f"The perceptual loss used the {perceptual_net} as its frozen feature network." + cost + caveat
