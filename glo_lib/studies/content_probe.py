"""The content probe (notebook 05): its grid, judges, measures table, captions and sentences.

The probe sweep trains the Table 1 settings at every sigma and seed, measures content leakage
(probes reading the digit from the content codes) and class control (class-transfer accuracy),
and repeats it with a faster content learning rate. The tolerances below decide when a change
between two sigmas is called a change; the summary (notebook 06) uses the same ones.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ..checks import check_bool, check_int, check_list, check_number
from ..core.config import GLOConfig
from ..core.data import ByClass, class_names_of
from ..core.judge import Judge, judge_or_load
from ..core.train import Run
from ..measures.metrics import class_transfer
from ..prose import change, describe_trend, plural

#: smoke runs train the judge for one epoch and draw 200 samples: the notebook in seconds
SMOKE_JUDGE_EPOCHS = 1
SMOKE_N_GENERATED = 200

#: changes between two sigmas within these count as "stays at about": each is about the last
#: digit the report prints that still matters on the measure's scale, so a move this small is
#: not read as an effect of sigma (accuracy in points of a share, MSE per pixel, diversity
#: relative to real digits)
TRANSFER_TOL = 0.01  # one percentage point of class-transfer accuracy
MSE_TOL = 0.0005  # five in the last printed digit of the reconstruction MSE (".4f")
DIVERSITY_TOL = 0.02  # two hundredths of the real digits' diversity (printed ".2f")

#: the least fold-to-fold spread the leakage trend is judged against: a test fold holds about
#: 51 of the 256 Table 1 codes, so one code read right or wrong moves a probe by 2 points;
#: a trend must beat that granularity even when the folds happen to agree more closely
MIN_PROBE_SPREAD = 0.03

#: mean content-code travel (share of the starting length) below which codes still look like
#: their random start: a code moved by a quarter of its length still points within about 14
#: degrees of where it began (cosine >= 0.97), so little can have been written into it
FAR_SHIFT = 0.25

def check_study(sigmas: Any, seeds: Any, seed: Any, fast_lr_content: Any, judge_epochs: Any,
                n_generated: Any, compare_init: Any = False) -> None:
    """Fail early, naming the parameter, before any run is trained."""
    check_bool("compare_init", compare_init)
    check_list("sigmas", sigmas, float, minimum=0.0)
    check_list("seeds", seeds, int, minimum=0)
    check_int("seed", seed, 0)
    check_number("fast_lr_content", fast_lr_content, note="0 skips the fast sweep")
    check_int("judge_epochs", judge_epochs, 1)
    check_int("n_generated", n_generated, 2)


def study_grid(sigmas: Sequence[float], seeds: Sequence[int], seed: int, smoke: bool = False) -> dict[str, list]:
    """Every sigma with every seed, the figures' ``seed`` included; smoke keeps the lowest and
    highest sigma and the figures' seed only."""
    if smoke:
        return {"noise_std": sorted({min(sigmas), max(sigmas)}), "seed": [seed]}
    return {"noise_std": list(sigmas), "seed": list(seeds) if seed in seeds else [*seeds, seed]}


def measure_settings(judge_epochs: int, n_generated: int, smoke: bool = False) -> dict[str, int]:
    """The judge epochs and sample count of ``evaluate_runs`` (smaller in smoke runs)."""
    if smoke:
        return {"judge_epochs": SMOKE_JUDGE_EPOCHS, "n_generated": SMOKE_N_GENERATED}
    return {"judge_epochs": judge_epochs, "n_generated": n_generated}


def fast_config(cfg: GLOConfig, fast_lr_content: float) -> Optional[GLOConfig]:
    """The Table 1 config with the fast content learning rate; None when it is 0 (no fast sweep)."""
    return cfg.replace(lr_content=fast_lr_content) if fast_lr_content else None


def judges_by_seed(runs: Iterable[Run], judge_epochs: int) -> dict[int, Judge]:
    """One judge per seed, trained (or loaded) on that seed's held-out pool."""
    return {s: judge_or_load(r.digits, epochs=judge_epochs) for s, r in {r.config.seed: r for r in runs}.items()}


def judges_table(judges: Mapping[int, Judge]) -> pd.DataFrame:
    """One row per seed: the judge's accuracy on real test digits and its test and training sizes."""
    return pd.DataFrame([{"seed": s, "accuracy": j.accuracy, "n_test": j.n_test, "n_train": j.n_train}
                         for s, j in judges.items()])


def mean_judge_accuracy(judges: pd.DataFrame) -> float:
    """The judges' mean accuracy on real digits: the ceiling of class-transfer accuracy."""
    return sum(judges["accuracy"]) / len(judges)


def seed_confusions(runs: Iterable[Run], judge: Judge, seed: int) -> dict[str, np.ndarray]:
    """Class-transfer confusion of ``seed``'s runs at the lowest and highest sigma, titled by sigma."""
    pick = {r.config.noise_std: r for r in runs if r.config.seed == seed}
    return ByClass({f"$\\sigma$ = {s:g}": class_transfer(pick[s].model, judge)["confusion"] for s in (min(pick), max(pick))},
                   class_names_of(pick[min(pick)].digits))


def _means(measures: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of every measure, indexed by sigma."""
    return measures.groupby("noise_std").mean(numeric_only=True)


def _spread(measures: pd.DataFrame) -> float:
    """The fold-to-fold spread the leakage trend is judged against (at least MIN_PROBE_SPREAD)."""
    return max(MIN_PROBE_SPREAD, measures["probe_mlp_std"].mean())


def _shift(measures: pd.DataFrame) -> float:
    """How far the content codes travelled, as a share of their starting length (mean over sigmas)."""
    return _means(measures)["content_shift"].mean()


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
    by, spread = _means(measures), _spread(measures)
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


#: the settings table: measure, heading, scale and format (shares in percent, means over seeds)
SETTINGS_COLUMNS = (("probe_mlp", "MLP probe (%)", 100, ".1f"), ("probe_logreg", "logistic (%)", 100, ".1f"),
                    ("transfer_accuracy", "transfer (%)", 100, ".1f"), ("mse", "MSE", 1, ".4f"),
                    ("content_shift", "travel (%)", 100, ".0f"))


def settings_table(settings: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per named setting (its measures table), at the lowest and highest sigma: the means over seeds
    of the SETTINGS_COLUMNS. The sentences of the section quote this table."""
    rows = []
    for name, measures in settings.items():
        by = _means(measures)
        for sigma in (by.index.min(), by.index.max()):
            rows.append({"setting": name, "$\\sigma$": f"{sigma:g}",
                         **{h: f"{by.loc[sigma, c] * k:{fmt}}" for c, h, k, fmt in SETTINGS_COLUMNS}})
    return pd.DataFrame(rows)


def settings_caption(n_seeds: int) -> str:
    """Caption of the settings table."""
    return (f"Leakage and class control at the lowest and highest $\\sigma$ for each setting (means over "
            f"{plural(n_seeds, 'seed')}). Probes: accuracy of reading the digit from the content codes "
            f"(chance 10%). Transfer: class-transfer accuracy. Travel: how far a content code moved from its "
            f"random start, as a share of its starting length.")


def fast_lr_sentence(measures: pd.DataFrame, fast: pd.DataFrame) -> str:
    """How far the codes travel with the fast content learning rate, and what the probe and class control do."""
    fb = _means(fast)
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


#: how the report names each code initialisation
INIT_NAMES = {"normal": "N(0, 1) codes (nn.Embedding)", "lord": "codes uniform in ±0.05 (LORD)"}


def other_init(cfg: GLOConfig) -> GLOConfig:
    """The same config with the other code initialisation."""
    return cfg.replace(code_init="lord" if cfg.code_init == "normal" else "normal")


def init_sentence(measures: pd.DataFrame, other: pd.DataFrame) -> str:
    """The probe and class control when the codes start the other way."""
    ob = _means(other)
    lo, hi = ob.index.min(), ob.index.max()
    return (f"With {INIT_NAMES[other['code_init'].iloc[0]]}, from $\\sigma$ = {lo:g} to {hi:g}: "
            + describe_trend(ob.loc[lo, "probe_mlp"], ob.loc[hi, "probe_mlp"], _spread(other),
                             "the MLP probe's accuracy", "decreases")
            + f" Class-transfer accuracy "
            f"{change(ob.loc[lo, 'transfer_accuracy'], ob.loc[hi, 'transfer_accuracy'], '.1%', TRANSFER_TOL)}.")
