"""The adversarial content probe (notebook 05): its sweeps, measures and tables (its words: ``narrative.probe``).

Two regimes are probed. *Table 1*: the course's settings, notebook 02's runs (at this notebook's
seeds), whose content codes barely leave their random start. *Codes that learn*: the content
learning rate ``learn_lr_ratio`` times the generator's, as LORD trains its codes, with the code
initialisation that reconstructs best at Table 1's sigma. In both the adversary is swept at sigma 0
and at Table 1's sigma. Every run is measured by ``measures.evaluate`` (reconstruction, transfer,
probes) and ``measures.leakage`` (the probes on the noisy codes, a permutation null, functional
leakage, style kept), and the probes are read against the style floor of the same digits.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..core.config import GLOConfig
from ..core.judge import Judge, judge_or_load
from ..core.train import Run
from ..measures import registry
from ..measures.evaluate import cached_evaluate
from ..measures.leakage import cached_leakage, style_floor
from ..notation import family_name
from .frontier import COLLAPSED_DIVERSITY, TARGET_MSE
from .settings import ProbeSettings

#: the two regimes, as the tables and the figure name them
TABLE1, LEARNING = "Table 1", "codes that learn"
#: the class transfer the frontier asks for (issue: ">= 97%"), beside frontier.TARGET_MSE
TARGET_TRANSFER = 0.97
#: the frontier's MSE ceiling for the push (issue: "<= 0.020"); the frontier notebook's own is TARGET_MSE
PUSH_MSE = 0.020


def table1_rows(noise_table: pd.DataFrame, cfg: GLOConfig) -> pd.DataFrame:
    """The Table 1 sweep as notebook 02 measured it (its table ``noise_study``), at ``cfg``'s decay."""
    return noise_table[noise_table.content_decay == cfg.content_decay].reset_index(drop=True)


def table1_grid(noise_table: pd.DataFrame, cfg: GLOConfig, seeds: Sequence[int]) -> dict[str, list]:
    """Notebook 02's sigmas at this notebook's seeds: the seeds 02 trained load from the run cache."""
    return {"noise_std": sorted(table1_rows(noise_table, cfg).noise_std.unique().tolist()), "seed": list(seeds)}


def adversary_configs(regimes: Mapping[str, GLOConfig], probe: ProbeSettings, cfg: GLOConfig) -> list[GLOConfig]:
    """Every adversary run: each regime's config x adversary weight x sigma (0 and Table 1's) x seed."""
    return [base.replace(adversary_weight=w, noise_std=s, seed=k) for base in regimes.values()
            for w in probe.adversary_weights for s in probe.adversary_sigmas(cfg) for k in probe.seeds(cfg)]


def judges_by_seed(runs: Iterable[Run], judge_epochs: int) -> dict[int, Judge]:
    """One judge per seed, trained (or loaded) on that seed's held-out pool."""
    return {s: judge_or_load(r.digits, epochs=judge_epochs) for s, r in {r.config.seed: r for r in runs}.items()}


def regime_of(run_cfg: GLOConfig, cfg: GLOConfig) -> str:
    """TABLE1 for a run trained with Table 1's content learning rate and initialisation, else LEARNING."""
    return TABLE1 if (run_cfg.lr_content, run_cfg.code_init) == (cfg.lr_content, cfg.code_init) else LEARNING


def measure_runs(runs: Iterable[Run], judges: Mapping[int, Judge], cfg: GLOConfig, n_generated: int) -> pd.DataFrame:
    """One row per run: its evaluation and its leakage measures (both remembered in the run's
    folder), its regime (against the Table 1 config ``cfg``), adversary weight and whether it collapsed."""
    rows = []
    for run in runs:
        judge = judges[run.config.seed]
        rows.append({"regime": regime_of(run.config, cfg), "adversary_weight": run.config.adversary_weight,
                     **cached_evaluate(run, judge, n_generated), **cached_leakage(run, judge)})
    table = pd.DataFrame(rows)
    table["collapsed"] = table["diversity"] < COLLAPSED_DIVERSITY
    return table


def chosen_init(init_rows: pd.DataFrame) -> str:
    """The code initialisation of the learning regime: the one whose runs at Table 1's sigma
    reconstruct best (lowest mean MSE, the objective both are trained on), among those that did
    not collapse on average; the lowest MSE overall if every one did."""
    by = init_rows.groupby("code_init")[["mse", "diversity"]].mean()
    kept = by[by["diversity"] >= COLLAPSED_DIVERSITY]
    return str((kept if len(kept) else by)["mse"].idxmin())


def interval95(values: Sequence[float]) -> float:
    """Half-width of the 95% confidence interval of the mean of ``values`` (Student's t over
    seeds); NaN for a single value (no interval: the table prints the mean alone), for none, or
    where a value is NaN."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2 or np.isnan(x).any():
        return float("nan")
    return float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


#: what identifies a setting: its regime, adversary weight and sigma (the seeds are averaged)
SETTING = ["regime", "adversary_weight", "noise_std"]


def setting_means(rows: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per setting: the mean over seeds of each of ``columns`` and its 95% interval (``<column>_ci``),
    the seeds counted, and whether the setting collapsed (mean diversity below the floor)."""
    g = rows.groupby(SETTING, sort=True)
    out = g[list(columns)].mean()
    for c in columns:
        out[f"{c}_ci"] = g[c].agg(interval95)
    out["seeds"] = g["seed"].nunique()
    out["collapsed"] = g["diversity"].mean() < COLLAPSED_DIVERSITY
    return out.reset_index()


def style_floors(runs: Iterable[Run]) -> pd.DataFrame:
    """The style floor of each seed's training digits: what the probes read from the style attributes."""
    pools = {r.config.seed: r.digits for r in runs}
    return pd.DataFrame([{"seed": s, **style_floor(d.images, d.labels, seed=s)} for s, d in sorted(pools.items())])


#: the measures of the regime table, in its column order
REGIME_COLUMNS = ("mse", "transfer_accuracy", "diversity", "style_kept", "content_shift", "sigma_over_spread")
#: the measures of the leakage table, in its column order
LEAKAGE_COLUMNS = ("probe_mlp", "noisy_probe_mlp", "class_blind_source", "misread_source_share", "code_r2")


#: measures a table prints as a mean alone: descriptions of the codes whose intervals over seeds
#: are far below their printed digits (travel to the percent, sigma/spread to the hundredth), so
#: that the table stays narrow enough to print at a readable size
MEAN_ONLY = ("content_shift", "sigma_over_spread")


def _cell(name: str, row: pd.Series) -> str:
    """"mean ± 95% half-width" of a measure in a setting row (the mean alone for MEAN_ONLY)."""
    return registry.fmt_mean_std(name, row[name], None if name in MEAN_ONLY else row.get(f"{name}_ci"))


def printed(means: pd.DataFrame, columns: Sequence[str], adversary: bool = True) -> pd.DataFrame:
    """A table of setting means as the report prints it: the regime (", adversary 1" added to it for
    a setting with the adversary, when ``adversary``), sigma, then each measure as "mean ± 95%
    half-width" under the registry's heading; a collapsed setting is marked."""
    rows = []
    for _, r in means.iterrows():
        with_adversary = f" + adversary {r['adversary_weight']:g}" if adversary and r["adversary_weight"] else ""
        rows.append({"regime": r["regime"] + with_adversary,
                     "$\\sigma$": f"{r['noise_std']:g}" + (" (collapsed)" if r["collapsed"] else ""),
                     **{registry.heading(c): _cell(c, r) for c in columns}})
    return pd.DataFrame(rows)


def init_table(init_rows: pd.DataFrame) -> pd.DataFrame:
    """Per code initialisation in the learning regime at Table 1's sigma: mean ± 95% interval of
    MSE, class transfer, diversity, travel and code spread."""
    columns = ("mse", "transfer_accuracy", "diversity", "content_shift", "code_spread")
    g = init_rows.groupby("code_init")
    mean = g[list(columns)].mean()
    ci = {c: g[c].agg(interval95) for c in columns}
    return pd.DataFrame([{"initialisation": init, **{registry.heading(c): registry.fmt_mean_std(c, mean.loc[init, c],
                                                                                              ci[c][init])
                                                     for c in columns}} for init in mean.index])


def meets_push(rows: pd.DataFrame) -> pd.Series:
    """Per row of setting means: class transfer >= TARGET_TRANSFER and MSE <= PUSH_MSE (the frontier
    push's target; whether the setting collapsed is the caller's to rule out)."""
    return (rows["transfer_accuracy"] >= TARGET_TRANSFER) & (rows["mse"] <= PUSH_MSE)


def floors_table(floors: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """What the probes read where there is no class to read in the codes, mean ± 95% interval: the
    style floor of each seed's digits (both probes), the permutation null over every run, chance."""
    def cell(name: str, values: pd.Series) -> str:
        return registry.fmt_mean_std(name, values.mean(), interval95(values))

    return pd.DataFrame([
        {"what the probe reads": "style attributes of the real digits, MLP", "accuracy (%)":
         cell("style_floor_mlp", floors["style_floor_mlp"])},
        {"what the probe reads": "style attributes of the real digits, logistic", "accuracy (%)":
         cell("style_floor_logreg", floors["style_floor_logreg"])},
        {"what the probe reads": "content codes with shuffled labels, MLP", "accuracy (%)":
         cell("permutation_null_mlp", rows["permutation_null_mlp"])},
        {"what the probe reads": "chance", "accuracy (%)": registry.fmt("chance", floors["chance"].mean())},
    ])


#: every measure the setting means carry (the tables', the figure's and the claims')
MEAN_COLUMNS = tuple(dict.fromkeys((*REGIME_COLUMNS, *LEAKAGE_COLUMNS, "class_blind_chance", "permutation_null_mlp")))


def shown_runs(runs: Iterable[Run], cfg: GLOConfig) -> dict[float, Run]:
    """The runs of the config's seed whose transfers the figure shows: no noise and the largest
    sigma (past the collapse), by sigma."""
    mine = {r.config.noise_std: r for r in runs if r.config.seed == cfg.seed}
    return {s: mine[s] for s in sorted({min(mine), max(mine)})}


def other_settings(noise_table: pd.DataFrame, frontier: pd.DataFrame, cfg: GLOConfig) -> pd.DataFrame:
    """Every setting notebook 02 measured, as setting means (mean over seeds): its noise study at
    each decay and its frontier's families, each named as a regime ("Table 1, decay 0",
    "lord generator, normal init"); a claim about every setting of the build reads these too."""
    noise = pd.concat([setting_means(rows.assign(regime=f"Table 1, content decay {decay:g}", adversary_weight=0.0),
                                     ["mse", "transfer_accuracy", "diversity"])
                       for decay, rows in noise_table.groupby("content_decay")], ignore_index=True)
    families = frontier.rename(columns={"transfer": "transfer_accuracy"}).assign(
        regime=[family_name(g, i) for g, i in zip(frontier["generator"], frontier["code_init"])], adversary_weight=0.0)
    return pd.concat([noise, families[[*SETTING, "mse", "transfer_accuracy", "diversity", "collapsed"]]],
                     ignore_index=True)
