"""The loss comparison's words (notebook 03): which loss wins on what, whether L2 blurs, the degenerate
runs explained, the captions, and the verdicts the summary reads.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..core.sweep import SweepResult
from ..notation import LOSS_NAMES
from ..prose import listing, plural
from ..studies.loss_study import loss_means, normal_runs, ranking
from ..results import VERDICT_COLUMNS


#: (measure, what winning it means, what is best: "low", "high" or "one" = closest to the real digits)
VERDICTS = (("mse", "lowest MSE", "low"), ("l1", "lowest L1 error", "low"),
            ("sharpness", "sharpness closest to the real digits", "one"),
            ("transfer_accuracy", "highest class-transfer accuracy", "high"),
            ("diversity", "diversity closest to the real digits", "one"))

#: reconstructions holding less than this share of the real digits' ink are "too faint": the run
#: draws background where the digits have strokes
FAINT_INK = 0.7


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


def reconstruction_caption(seed: int) -> str:
    """Caption of the reconstructions under each loss."""
    return (f"The same sixteen training digits (top row) reconstructed under each loss, without content "
            f"noise (seed {seed}).")




def loss_verdicts(measures: pd.DataFrame) -> pd.DataFrame:
    """The course report's loss claims as the summary reads them, decided on the normal runs' means:
    "l1+l2_best" (value: the loss with the lowest MSE), "l2_blurs" (value: the loss with the least sharp
    reconstructions) and "degenerate_left_out" (value: how many runs), each with the sentence printed here."""
    means = loss_means(normal_runs(measures)).mean
    best, blurriest = means["mse"].idxmin(), means["sharpness"].idxmin()
    n_bad = int(measures["degenerate"].sum()) if "degenerate" in measures else 0
    rows = [("l1+l2_best", best == "l1+l2", best, wins_sentence(measures)),
            ("l2_blurs", blurriest == "l2", blurriest, blur_sentence(measures) or ""),
            ("degenerate_left_out", n_bad > 0, n_bad, degenerate_sentence(measures) or "")]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
