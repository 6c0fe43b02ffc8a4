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
from ..prose import listing, plural

#: how the report writes each loss (one notation throughout)
LOSS_NAMES = {"l1": "L1", "l2": "L2", "l1+l2": "L1+L2", "perceptual": "perceptual"}

#: measures of the per-loss table (columns of ``measure_runs``), with their column headers
MEASURES = {"mse": "MSE", "l1": "L1", "sharpness": "sharpness", "transfer_accuracy": "class transfer (%)",
            "diversity": "diversity"}
#: how the table prints a measure: scale and format (shares in percent, as in every table)
FORMATS = {"transfer_accuracy": (100, ".1f")}

#: (measure, what winning it means, what is best: "low", "high" or "one" = closest to the real digits)
VERDICTS = (("mse", "lowest MSE", "low"), ("l1", "lowest L1 error", "low"),
            ("sharpness", "sharpness closest to the real digits", "one"),
            ("transfer_accuracy", "highest class-transfer accuracy", "high"),
            ("diversity", "diversity closest to the real digits", "one"))

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
    rows.update({LOSS_NAMES[r.config.loss]: r.reconstructions(ids) for r in mine})
    return rows


def mean_histories(runs: Sequence[Run]) -> dict[str, pd.DataFrame]:
    """Per loss, its training history averaged over seeds epoch by epoch (in the order trained)."""
    by_loss: dict[str, list[pd.DataFrame]] = {}
    for r in runs:
        by_loss.setdefault(r.config.loss, []).append(r.history)
    return {loss: pd.concat(h).groupby("epoch", as_index=False).mean() for loss, h in by_loss.items()}


def measure_runs(runs: Sequence[Run], judges: dict[int, Judge], n_generated: int) -> pd.DataFrame:
    """Every measure of every run (one row each), with the sharpness of its reconstructions, their
    ink (mean brightness relative to the real digits: 1 = as much ink) and whether the run is
    degenerate (see ``degenerate``)."""
    rows = pd.DataFrame([{**cached_evaluate(r, judges[r.config.seed], n_generated=n_generated),
                          "sharpness": relative_sharpness(r.reconstructions(), r.digits.images),
                          "ink": float(r.reconstructions().mean() / r.digits.images.mean())} for r in runs])
    return rows.assign(degenerate=degenerate(rows["mse"]))


#: a run whose reconstruction MSE is more than this multiple of the median MSE of all runs of the
#: comparison failed to learn its digits (a collapse): every loss here is a reconstruction loss, and
#: the runs that train normally lie within a factor of about 1.5 of each other
DEGENERATE_MSE_RATIO = 2.0
#: reconstructions holding less than this share of the real digits' ink are "too faint": the run
#: draws background where the digits have strokes
FAINT_INK = 0.7


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
        k, fmt = FORMATS.get(c, (1, ".4f"))
        return f"{mean * k:{fmt}}" + ("" if std is None else f" ± {std * k:{fmt}}")

    cells = {header: [cell(c, m.mean.at[l, c], m.std.at[l, c] if m.n_seeds > 1 else None) for l in m.mean.index]
             for c, header in MEASURES.items()}
    names = [LOSS_NAMES[l] for l in m.mean.index]
    bad = measures[measures["degenerate"]] if "degenerate" in measures else measures.iloc[:0]
    for _, row in bad.iterrows():
        for c, header in MEASURES.items():
            cells[header].append(cell(c, row[c]))
        names.append(f"{LOSS_NAMES[row['loss']]}, seed {int(row['seed'])} (degenerate)")
    return pd.DataFrame(cells, index=pd.Index(names, name="loss"))


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
    flagged = (" A degenerate run (MSE more than twice the median of all runs) has its own row and is left "
               "out of its loss's mean." if measures.get("degenerate", pd.Series(dtype=bool)).any() else "")
    return (f"Measures per loss, mean{' ± standard deviation' if n > 1 else ''} over {plural(n, 'seed')}; "
            f"sharpness and diversity are relative to real digits (1 = like MNIST).{flagged}")


def ranking(means: LossMeans, column: str, best: str) -> tuple[list[str], pd.Series]:
    """Losses from best to worst on one measure (lowest, highest or closest to 1), and the sort key (lower wins)."""
    values = means.mean[column]
    key = {"low": values, "high": -values, "one": (values - 1).abs()}[best]
    return list(key.sort_values().index), key


def wins_sentence(measures: pd.DataFrame) -> str:
    """Which loss wins on what (over the normal runs), each winner once, and whether a lead is within the
    seed-to-seed spread."""
    means = loss_means(normal_runs(measures))
    wins: dict[str, list[str]] = {}
    for column, name, best in VERDICTS:
        order, key = ranking(means, column, best)
        if len(order) < 2:
            continue
        win, second = order[0], order[1]
        clear = key[second] - key[win] > means.std.at[win, column] + means.std.at[second, column]
        wins.setdefault(win, []).append(f"the {name}" + ("" if clear or means.n_seeds == 1 else
                                                         f" (within the seed spread of {LOSS_NAMES[second]})"))
    parts = [f"{LOSS_NAMES[loss]} has {listing(won)}" for loss, won in wins.items()]
    return "Of the runs that trained normally, " + "; ".join(parts) + "." if parts else ""


def blur_sentence(measures: pd.DataFrame) -> Optional[str]:
    """Whether L2 blurs: are its reconstructions the least sharp? None without L2 or without a rival."""
    sharpness = loss_means(normal_runs(measures)).mean["sharpness"]
    if "l2" not in sharpness.index or len(sharpness) < 2:
        return None
    blurriest, sharpest = sharpness.idxmin(), sharpness.idxmax()
    if blurriest == "l2":
        return (f"L2 blurs, as expected: its reconstructions are the least sharp of all, where "
                f"{LOSS_NAMES[sharpest]}'s are the sharpest.")
    return (f"The claim that L2 blurs does not hold here: {LOSS_NAMES[blurriest]}'s reconstructions are "
            f"less sharp than L2's.")


def perceptual_sentence(measures: pd.DataFrame, perceptual_net: str) -> Optional[str]:
    """The perceptual loss's network and the judge caveat; None when it was not run."""
    if "perceptual" not in set(measures["loss"]):
        return None
    caveat = (" That network is the judge that also scores class transfer, so that column may flatter it: "
              "the run was trained to look right to that very network." if perceptual_net == "judge" else "")
    return f"The perceptual loss used the {perceptual_net} as its frozen feature network." + caveat


def degenerate_sentence(measures: pd.DataFrame) -> Optional[str]:
    """The degenerate runs, named and explained from their measures; None when every run trained normally."""
    bad = measures[measures["degenerate"]] if "degenerate" in measures else measures.iloc[:0]
    if bad.empty:
        return None
    median = measures["mse"].median()
    said = []
    for _, r in bad.iterrows():
        said.append(f"the {LOSS_NAMES[r['loss']]} run of seed {int(r['seed'])} reconstructs with "
                    f"{r['mse'] / median:.1f} times the median MSE of all runs, and its reconstructions hold "
                    f"{r['ink']:.0%} of the real digits' ink")
    faint = (bad["ink"] < FAINT_INK).all()
    why = (" It draws background where the digits have strokes. Under L1 the best guess for an uncertain "
           "pixel is the median of what it might be, which is background for any pixel that is ink in fewer "
           "than half of the candidates; a run whose codes do not yet tell its images apart can settle on such "
           "faint, averaged digits and, with a gradient of the same size for every wrong pixel, stay there."
           if faint and set(bad["loss"]) == {"l1"} else
           " Its seed-mates with the same loss train normally, so this is a failed optimisation, not a "
           "property of the loss.")
    joined = "; ".join(said)
    return ("**A degenerate run.** " + joined[0].upper() + joined[1:] + ". It is flagged in the table and left out "
            "of the means and the ranking." + why)
