"""The content probe's words (notebook 05): leakage, travel and class control in sentences, the captions,
and the tolerances that decide when a change between two sigmas is called a change (the summary,
notebook 07, says its changes with the same ones).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from ..measures.registry import tolerance
from ..notation import INIT_NAMES
from ..prose import change, describe_trend, plural
from ..studies.content_probe import sigma_means


#: changes between two sigmas within these count as "stays at about": each measure's tolerance in
#: the registry (about the last printed digit that still matters on its scale), so a move this
#: small is not read as an effect of sigma
TRANSFER_TOL = tolerance("transfer_accuracy")  # one percentage point of class-transfer accuracy
MSE_TOL = tolerance("mse")  # five in the last printed digit of the reconstruction MSE (".4f")
DIVERSITY_TOL = tolerance("diversity")  # two hundredths of the real digits' diversity (printed ".2f")

#: the least fold-to-fold spread the leakage trend is judged against: a test fold holds about
#: 51 of the 256 Table 1 codes, so one code read right or wrong moves a probe by 2 points;
#: a trend must beat that granularity even when the folds happen to agree more closely
MIN_PROBE_SPREAD = 0.03

#: mean content-code travel (share of the starting length) below which codes still look like
#: their random start: a code moved by a quarter of its length still points within about 14
#: degrees of where it began (cosine >= 0.97), so little can have been written into it
FAR_SHIFT = 0.25


def _spread(measures: pd.DataFrame) -> float:
    """The fold-to-fold spread the leakage trend is judged against (at least MIN_PROBE_SPREAD)."""
    return max(MIN_PROBE_SPREAD, measures["probe_mlp_std"].mean())


def _shift(measures: pd.DataFrame) -> float:
    """How far the content codes travelled, as a share of their starting length (mean over sigmas)."""
    return sigma_means(measures)["content_shift"].mean()


def sweep_sentence(summary: str, grid: Mapping[str, Sequence]) -> str:
    """What the Table 1 sweep trained and loaded, and its size."""
    return (f"**Table 1 sweep**: {summary} ({plural(len(grid['noise_std']), 'value')} of sigma x "
            f"{plural(len(grid['seed']), 'seed')}).")


def judge_sentence(judges: pd.DataFrame) -> str:
    """How well the judges recognise real digits they never saw, and what that makes a ceiling of."""
    accs = list(judges["accuracy"])
    return (f"Over {plural(len(accs), 'held-out pool')} the judge recognises "
            f"{min(accs):.1%}{'' if len(accs) == 1 else f' to {max(accs):.1%}'} of the "
            f"{judges['n_test'].iloc[0]} real test digits it never saw "
            f"(trained on {judges['n_train'].iloc[0]} others), so a class-transfer accuracy "
            f"near that level means the class code fully decides the digit.")


def leakage_sentence(measures: pd.DataFrame) -> str:
    """**Too little noise?** How the leakage moves from the lowest to the highest sigma under Table 1's settings."""
    by, spread = sigma_means(measures), _spread(measures)
    lo, hi = by.index.min(), by.index.max()
    return (f"**Too little noise?** Under the Table 1 settings, from $\\sigma$ = {lo:g} to {hi:g}: "
            + describe_trend(by.loc[lo, "probe_mlp"], by.loc[hi, "probe_mlp"], spread,
                             "the MLP probe's accuracy on the content codes", "decreases")
            + f" Chance is 10%; a change within the probe's fold-to-fold spread (about {spread:.0%}) counts as none.")


def shift_sentence(measures: pd.DataFrame) -> str:
    """How far the content codes travelled from their random start, and what that allows."""
    lr, epochs, shift = measures["lr_content"].iloc[0], measures["epochs"].iloc[0], _shift(measures)
    verdict = ("Codes that stay this close to a random start can hardly carry the class, so the probes cannot "
               "find it at any $\\sigma$; what $\\sigma$ changes is how much the generator may rely on the exact code."
               if shift < FAR_SHIFT else "The codes move far enough to encode what the generator asks of them.")
    return (f"How far did the content codes travel? They start as N(0, 1) vectors and, with a learning rate of "
            f"{lr:g} for {epochs} epochs, each code is updated {epochs} times; on average a code ends "
            f"{shift:.0%} of its starting length away from where it began. " + verdict)


def settings_caption(n_seeds: int) -> str:
    """Caption of the settings table."""
    return (f"Leakage and class control at the lowest and highest $\\sigma$ for each setting (means over "
            f"{plural(n_seeds, 'seed')}). Probes: accuracy of reading the digit from the content codes "
            f"(chance 10%). Transfer: class-transfer accuracy. Travel: how far a content code moved from its "
            f"random start, as a share of its starting length.")


def fast_lr_sentence(measures: pd.DataFrame, fast: pd.DataFrame) -> str:
    """How far the codes travel with the fast content learning rate, and what the probe and class control do."""
    fb = sigma_means(fast)
    lo, hi = fb.index.min(), fb.index.max()
    return (f"With a content learning rate of {fast['lr_content'].iloc[0]:g} the codes travel "
            f"{fb['content_shift'].mean():.0%} of their starting length (Table 1: {_shift(measures):.0%}). "
            f"From $\\sigma$ = {lo:g} to {hi:g}: "
            + describe_trend(fb.loc[lo, "probe_mlp"], fb.loc[hi, "probe_mlp"], _spread(measures),
                             "the MLP probe's accuracy", "decreases")
            + f" Class-transfer accuracy "
            f"{change(fb.loc[lo, 'transfer_accuracy'], fb.loc[hi, 'transfer_accuracy'], '.1%', TRANSFER_TOL)}.")


def settings_figure_caption(names: Sequence[str]) -> str:
    """Caption of the figure of every setting's leakage and class control against sigma."""
    return (f"Content leakage (left: the MLP probe reading the digit from the content codes; dotted: chance) and "
            f"class-transfer accuracy (right; dashed: the judge on real digits) against $\\sigma$ for "
            f"{len(names)} settings: {', '.join(names)}. Bands: one standard deviation over seeds.")


def confusion_caption(seed: int) -> str:
    """Caption of the confusion matrices at the lowest and highest sigma."""
    return (f"Class transfer at the lowest and highest $\\sigma$ (seed {seed}): for each class code "
            "(row), the share of transferred images the judge reads as each digit (column).")


def init_sentence(measures: pd.DataFrame, other: pd.DataFrame) -> str:
    """The probe and class control when the codes start the other way."""
    ob = sigma_means(other)
    lo, hi = ob.index.min(), ob.index.max()
    return (f"With {INIT_NAMES[other['code_init'].iloc[0]]}, from $\\sigma$ = {lo:g} to {hi:g}: "
            + describe_trend(ob.loc[lo, "probe_mlp"], ob.loc[hi, "probe_mlp"], _spread(other),
                             "the MLP probe's accuracy", "decreases")
            + f" Class-transfer accuracy "
            f"{change(ob.loc[lo, 'transfer_accuracy'], ob.loc[hi, 'transfer_accuracy'], '.1%', TRANSFER_TOL)}.")
