"""The content probe (notebook 05): its grid, judges and measures table (its words: ``narrative.probe``).

The probe sweep trains the Table 1 settings at every sigma and seed, measures content leakage
(probes reading the digit from the content codes) and class control (class-transfer accuracy),
and repeats it with a faster content learning rate.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from ..core.config import GLOConfig
from ..core.data import ByClass, class_names_of
from ..core.judge import Judge, judge_or_load
from ..core.train import Run
from ..measures import registry
from ..measures.metrics import class_transfer


def table1_rows(noise_table: pd.DataFrame, cfg: GLOConfig) -> pd.DataFrame:
    """The Table 1 sweep as notebook 02 measured it (its table ``noise_study``), at ``cfg``'s decay:
    notebook 02 owns that sweep, so this notebook probes the same runs without measuring them again."""
    return noise_table[noise_table.content_decay == cfg.content_decay].reset_index(drop=True)


def grid_of(rows: pd.DataFrame) -> dict[str, list]:
    """The sigma x seed grid of measured rows: the sweeps this notebook adds follow notebook 02's."""
    return {"noise_std": sorted(rows.noise_std.unique().tolist()), "seed": sorted(rows.seed.unique().tolist())}


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


def sigma_means(measures: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of every measure, indexed by sigma."""
    return measures.groupby("noise_std").mean(numeric_only=True)


#: measures of the settings table, in its column order (headings and formats: the registry's; means over seeds)
SETTINGS_COLUMNS = ("probe_mlp", "probe_logreg", "transfer_accuracy", "mse", "content_shift")


def settings_table(settings: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per named setting (its measures table), at the lowest and highest sigma: the means over seeds
    of the SETTINGS_COLUMNS. The sentences of the section quote this table."""
    rows = []
    for name, measures in settings.items():
        by = sigma_means(measures)
        for sigma in (by.index.min(), by.index.max()):
            rows.append({"setting": name, "$\\sigma$": f"{sigma:g}",
                         **{registry.heading(c): registry.fmt(c, by.loc[sigma, c]) for c in SETTINGS_COLUMNS}})
    return pd.DataFrame(rows)


def other_init(cfg: GLOConfig) -> GLOConfig:
    """The same config with the other code initialisation."""
    return cfg.replace(code_init="lord" if cfg.code_init == "normal" else "normal")


