"""The noise study's words (notebook 02): its sentences, captions, and the thresholds that pick a wording.

The numbers come from ``studies.noise_study``; this module only says them.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from ..core.config import GLOConfig
from ..core.sweep import SweepResult
from ..measures.registry import measure
from ..notation import sigma_values
from ..prose import direction, plural
from ..studies.noise_study import COLLAPSE_DIGITS, SUMMARY_MEASURES, choose_sigma
from ..results import VERDICT_COLUMNS


#: the decay effects the verdict weighs: the two outcomes the noise trades, as the figure shows them
OUTCOMES = ["mse", "transfer_accuracy"]

#: relative change of the mean diversity below which it counts as unchanged (5%): diversity is a
#: ratio of two mean pairwise distances, each with its own sampling noise, so it gets a looser bar
#: than prose.SAME_REL_TOL before a change is called a collapse
DIVERSITY_REL_TOL = 0.05

#: a decay effect holds "at most sigma values" when it is clear at more than this share of them
MOST = 0.5

#: decay effect, as a share of what sigma does across its range, below which the decay is called a
#: small correction next to the noise (a quarter: the noise stays the knob that matters by far)
SMALL_EFFECT = 0.25

MSE_WORDS = {
    1: "more noise costs reconstruction quality, since the content code can say less about each image.",
    0: "the noise hardly costs reconstruction quality here.",
    -1: "contrary to the expectation, more noise made the reconstructions better here.",
}

DIVERSITY_WORDS = {
    -1: "Too much noise therefore makes the digits of a class look alike: the content code no "
        "longer tells them apart.",
    0: "The diversity hardly changes with the noise here, so this run shows no collapse.",
    1: "Contrary to the expectation, more noise made the reconstructions more varied here.",
}

TRANSFER_WORDS = {
    1: "More noise gives the class code more control over the class: fewer of the transferred "
       "digits are read as another digit.",
    0: "The noise hardly changes how well the class code controls the class here.",
    -1: "Contrary to the expectation, more noise gave the class code less control.",
}

DECAY_FIGURE_CAPTION = (
    "Content decay $\\lambda$ off and on at each $\\sigma$: content-code norm, reconstruction MSE and "
    "class-transfer accuracy. Points are means over seeds, bars one standard deviation.")


def sweep_sentence(grid: Mapping[str, Sequence], cfg: GLOConfig, result: SweepResult, table1_cached: bool,
                   seconds: float) -> str:
    """The size of the sweep, what was trained or loaded, and the time it took."""
    return (f"The sweep covers {len(grid['noise_std'])} noise levels x {len(grid['content_decay'])} decay weights "
            f"x {len(grid['seed'])} seed(s) = {len(result.runs)} runs of {cfg.n_samples} images and "
            f"{cfg.epochs} epochs each. {result.summary()}; with the Table 1 run and its snapshots "
            f"({'loaded' if table1_cached else 'trained'} first) it took {seconds:.1f} s in all.")


def judge_sentence(rows: pd.DataFrame) -> str:
    """How right the judges (one per seed) are on real digits they never saw: the ceiling of class transfer."""
    accs = rows.groupby("seed")["judge_accuracy"].first()
    right = f"{accs.min():.0%}" + (f" to {accs.max():.0%}" if f"{accs.min():.0%}" != f"{accs.max():.0%}" else "")
    return (f"Each seed draws its own training digits and has its own judge, trained on that seed's held-out "
            f"real digits only. On held-out digits it never saw, a judge is right about {right} of the time: "
            f"that is the ceiling of class-transfer accuracy.")


def reconstruction_caption(sigmas: Sequence[float], shown: Sequence[int] = COLLAPSE_DIGITS) -> str:
    """Caption of the reconstructions under each noise level."""
    return (f"Real training images of the digits {', '.join(map(str, shown))} (top row) and their noise-free "
            f"reconstructions by models trained with content noise $\\sigma$ = {sigma_values(sigmas)}, the Table 1 "
            f"settings otherwise. Where the noise is too high, the images of one digit come out alike.")


def transfer_caption(seed: int) -> str:
    """Caption of the class-transfer figure (the images are those of ``transfer_sources``)."""
    return (f"Class transfer: the content codes of three training images (a 3, a 5 and a 9, "
            f"left column) drawn with each class code 0 to 9, for each $\\sigma$ (seed {seed}).")


def transfer_sentence(rows: pd.DataFrame) -> str:
    """Mean class-transfer accuracy at the smallest and largest sigma, its best, and the trend."""
    acc = rows.groupby("noise_std")["transfer_accuracy"].mean()
    return (f"The judge recognises the intended class in {acc.iloc[0]:.1%} of all "
            f"content x class combinations at $\\sigma$ = {acc.index[0]:g} and in {acc.iloc[-1]:.1%} at "
            f"$\\sigma$ = {acc.index[-1]:g} (means over seeds; the most is {acc.max():.1%} at "
            f"$\\sigma$ = {acc.idxmax():g}). " + TRANSFER_WORDS[direction(acc.iloc[0], acc.iloc[-1])])


def decay_table_caption(off: float, on: float) -> str:
    """Caption of the decay-effect table."""
    return (f"Effect of the content decay: each measure with $\\lambda$ = {on:g} minus the same measure with "
            f"$\\lambda$ = {off:g}, same $\\sigma$ and seed (mean ± std over seeds).")


def _mostly_clear(effects: pd.DataFrame, measure: str) -> bool:
    """Whether the decay's effect on ``measure`` is clear at most sigma values."""
    return bool(effects.at[measure, "clear"] > MOST * effects.at[measure, "n"])


def _way(change: float) -> str:
    """"higher" or "lower"."""
    return "higher" if change > 0 else "lower"


def decay_verdict_sentence(effects: pd.DataFrame) -> str:
    """Whether the decay shrinks the codes, which outcomes it clearly moves, and how much next to sigma."""
    norm = effects.at["content_norm", "mean"]
    shrinks = _mostly_clear(effects, "content_norm") and norm < 0
    text = (f"The decay {'does what it is built for: it shrinks' if shrinks else 'does not clearly shrink'} "
            f"the content codes. ")
    real = [m for m in OUTCOMES if _mostly_clear(effects, m)]
    if not real:
        return text + ("It has no clear effect on reconstruction or class transfer at most $\\sigma$ "
                       "values, which agrees with the course report's impression that it did not help.")
    decay_way = {m: _way(effects.at[m, "mean"]) for m in real}
    noise_way = {m: _way(effects.at[m, "noise_change"]) for m in real}
    biggest = max(real, key=lambda m: effects.at[m, "ratio"])
    ratio = effects.at[biggest, "ratio"]
    gives = ", ".join(f"{decay_way[m]} {measure(m).words}" for m in real)
    return (text + f"At most $\\sigma$ values it clearly gives {gives}"
            + (", the directions of more noise: a smaller content code stands out less from the same noise. "
               if decay_way == noise_way else ", not all in the direction of more noise. ")
            + f"These effects amount to at most {ratio:.0%} of what moving $\\sigma$ across its range "
            f"does (for the {measure(biggest).words}), "
            + ("so at this weight the decay is a small correction next to the noise: the course report's "
               "impression that it did not help is close to what is measured, although its effects are "
               "consistent over seeds." if ratio < SMALL_EFFECT else
               "so at this weight the decay matters on a scale comparable to the noise."))


def evolution_caption(cfg: GLOConfig, snap_epochs: Sequence[int]) -> str:
    """Caption of the evolution figure: the run and the epochs shown (the last one always)."""
    return (f"Reconstructions of the same training digits during the Table 1 run ($\\sigma$ = {cfg.noise_std:g}, "
            f"decay {cfg.content_decay:g}, seed {cfg.seed}) at the end of epoch(s) "
            + ", ".join(str(e) for e in sorted(set(snap_epochs) | {cfg.epochs})) + ".")


def table_caption(content_decay: float, n_seeds: int) -> str:
    """Caption of the noise study's table."""
    return (f"The noise sweep (Table 1 settings, content decay {content_decay:g}): mean ± standard deviation over "
            f"{plural(n_seeds, 'seed')}. Class transfer: share of every content code drawn with "
            f"every class code that the judge reads as the class code's digit. Diversity: within-class, relative "
            f"to the real digits (1 = as varied). MLP probe: accuracy of reading the digit from the content codes "
            f"(chance 10%). Code norm: mean length of the content codes.")


def effect_sentence(rows: pd.DataFrame) -> str:
    """What moving sigma from the lowest to the highest value does, in words (the numbers are in the table)."""
    by = rows.groupby("noise_std")[["mse", "diversity", "transfer_accuracy"]].mean()
    lo, hi = by.iloc[0], by.iloc[-1]
    return (f"From $\\sigma$ = {by.index[0]:g} to $\\sigma$ = {by.index[-1]:g} (the noise study's table): "
            + MSE_WORDS[direction(lo["mse"], hi["mse"])][:1].upper() + MSE_WORDS[direction(lo["mse"], hi["mse"])][1:]
            + " " + DIVERSITY_WORDS[direction(lo["diversity"], hi["diversity"], rel_tol=DIVERSITY_REL_TOL)]
            + " " + TRANSFER_WORDS[direction(lo["transfer_accuracy"], hi["transfer_accuracy"])])


def choice_sentence(rows: pd.DataFrame, mse_tolerance: float, table1_sigma: float) -> str:
    """The sigma rule applied to the seed means of ``rows``: the MSE limit, who is eligible, the pick,
    and how the Table 1 value compares."""
    means = rows.groupby("noise_std")[SUMMARY_MEASURES].mean()
    pick = choose_sigma(means, mse_tolerance)
    excluded = f"; excluded for their MSE: $\\sigma$ = {sigma_values(pick['excluded'])}" if pick["excluded"] else ""
    if pick["sigma"] == table1_sigma:
        table1 = "; it is the Table 1 value."
    elif table1_sigma in means.index:
        table1 = (f"; the Table 1 value $\\sigma$ = {table1_sigma:g} reaches "
                  f"{means.loc[table1_sigma, 'transfer_accuracy']:.1%} at an MSE of {means.loc[table1_sigma, 'mse']:.4f}.")
    else:
        table1 = "."
    return (f"**Rule for choosing $\\sigma$:** among the values whose mean MSE is at most {mse_tolerance:.0%} above "
            f"the lowest ({pick['best_mse']:.4f}, at $\\sigma$ = {pick['best_mse_sigma']:g}), the one with the highest "
            f"class-transfer accuracy. Eligible: $\\sigma$ = {sigma_values(pick['eligible'])}{excluded}. The rule picks "
            f"**$\\sigma$ = {pick['sigma']:g}**, with {pick['accuracy']:.1%} class transfer at an MSE of "
            f"{pick['mse']:.4f}{table1}")


def curves_caption(n_seeds: int, content_decay: float) -> str:
    """Caption of the training curves per sigma (means over the seeds)."""
    return (f"Training objective (left) and reconstruction MSE (right) per epoch for each $\\sigma$, "
            f"means over {n_seeds} seed(s) (decay {content_decay:g}; logarithmic scales).")




def decay_verdicts(effects: pd.DataFrame, off: float, on: float) -> pd.DataFrame:
    """The decay verdict as the summary reads it: one row, claim "decay_small" (the decay is a small
    correction next to sigma, or has no clear effect on the OUTCOMES), the largest ratio of a clear
    effect to what sigma does (NaN when none is clear) and the sentence this notebook printed; no row
    when the sweep has a single decay weight (nothing to compare)."""
    if off == on:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    real = [m for m in OUTCOMES if _mostly_clear(effects, m)]
    ratio = max((effects.at[m, "ratio"] for m in real), default=float("nan"))
    return pd.DataFrame([{"claim": "decay_small", "holds": not real or ratio < SMALL_EFFECT, "value": ratio,
                          "sentence": decay_verdict_sentence(effects)}], columns=VERDICT_COLUMNS)
