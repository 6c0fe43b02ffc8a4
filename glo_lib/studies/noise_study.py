"""The noise study (notebook 02): its grid, seed summaries, the rule that picks a sigma, its sentences."""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import pandas as pd
import torch

from ..checks import check_int, check_list, check_number
from ..core.config import GLOConfig
from ..core.data import ByClass, class_names_of
from ..core.sweep import SweepResult
from ..core.train import Run
from ..measures.metrics import transfer_images
from ..prose import direction, plural

#: measures of `metrics.evaluate` the study reports, with the words the report uses for them
MEASURES = {
    "mse": "reconstruction MSE",
    "transfer_accuracy": "class-transfer accuracy",
    "diversity": "within-class diversity",
    "probe_logreg": "probe accuracy (logistic)",
    "probe_mlp": "probe accuracy (MLP)",
    "content_norm": "content-code norm",
}


def check_study(sigmas: Sequence[float], content_decays: Sequence[float], seeds: Sequence[int],
                judge_epochs: int, n_generated: int, mse_tolerance: float, evolution_epochs: Sequence[int]) -> None:
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


def transfer_rows(runs: Mapping[str, Run], ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """For each named run, one row per image: the real image, then its content code drawn with
    each of the ten class codes (columns named as the runs' data name the classes)."""
    rows = ByClass(class_names=class_names_of(next(iter(runs.values())).digits))
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


# --- what the notebook shows, and its sentences -------------------------------------------------

#: the measures compared with the decay off and on (figure, table and sentences), in panel order
DECAY_MEASURES = ["content_norm", "mse", "transfer_accuracy", "diversity", "probe_logreg", "probe_mlp"]
#: the measures of the summary table (per sigma, at the figures' decay) and of the sigma rule
SUMMARY_MEASURES = ["mse", "transfer_accuracy", "diversity", "probe_mlp", "content_norm"]
#: the decay effects the verdict weighs: the two outcomes the noise trades, as the figure shows them
OUTCOMES = ["mse", "transfer_accuracy"]
#: digits of the reconstruction figure, and how many real training images of each it shows: enough
#: of one digit, side by side, to see them come out alike when the noise is too high
COLLAPSE_DIGITS, COLLAPSE_PER_DIGIT = (2, 4, 7), 6
#: the digits whose content codes the transfer figure draws with every class code (its caption names them)
TRANSFER_DIGITS = [3, 5, 9]
#: judge training epochs and generated images per run in smoke mode: every measure runs, in seconds
SMOKE_JUDGE = (1, 200)

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
#: the decay measures the report's figure and table show: what the decay acts on (the code norm)
#: and the two outcomes the noise trades against each other
DECAY_SHOWN = ["content_norm", "mse", "transfer_accuracy"]
DECAY_FIGURE_CAPTION = (
    "Content decay $\\lambda$ off and on at each $\\sigma$: content-code norm, reconstruction MSE and "
    "class-transfer accuracy. Points are means over seeds, bars one standard deviation.")


def _values(sigmas: Iterable[float]) -> str:
    """"0, 0.3, 1": sigma values as the report prints them."""
    return ", ".join(f"{s:g}" for s in sigmas)


def judge_settings(judge_epochs: int, n_generated: int, smoke: bool) -> tuple[int, int]:
    """The judge's training epochs and the images generated per run (SMOKE_JUDGE in smoke mode)."""
    return SMOKE_JUDGE if smoke else (judge_epochs, n_generated)


def snapshot_epochs(evolution_epochs: Sequence[int], epochs: int) -> list[int]:
    """The evolution epochs that a run of ``epochs`` reaches, in order (smoke runs are short)."""
    return sorted({e for e in evolution_epochs if e <= epochs})


def runs_at(runs: Mapping[tuple[float, float, int], Run], sigmas: Sequence[float], content_decay: float,
            seed: int) -> dict[float, Run]:
    """The run of each sigma at one decay weight and seed (the runs the figures show)."""
    return {s: runs[(s, content_decay, seed)] for s in sigmas}


def at_decay(rows: pd.DataFrame, content_decay: float) -> pd.DataFrame:
    """The measured rows of one decay weight."""
    return rows[rows.content_decay == content_decay]


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


def reconstruction_rows(truth: torch.Tensor, runs: Mapping[float, Run], ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Ground truth, then the noise-free reconstructions of the same images by the run of each sigma."""
    return {"ground truth": truth, **{f"σ = {s:g}": run.reconstructions(ids) for s, run in runs.items()}}


def reconstruction_ids(labels: torch.Tensor, shown: Sequence[int] = COLLAPSE_DIGITS,
                       per_digit: int = COLLAPSE_PER_DIGIT) -> torch.Tensor:
    """The first ``per_digit`` training images of each of the ``shown`` digits, digit by digit."""
    return torch.cat([torch.nonzero(labels == k).flatten()[:per_digit] for k in shown])


def reconstruction_caption(sigmas: Sequence[float], shown: Sequence[int] = COLLAPSE_DIGITS) -> str:
    """Caption of the reconstructions under each noise level."""
    return (f"Real training images of the digits {', '.join(map(str, shown))} (top row) and their noise-free "
            f"reconstructions by models trained with content noise $\\sigma$ = {_values(sigmas)}, the Table 1 "
            f"settings otherwise. Where the noise is too high, the images of one digit come out alike.")


def mean_histories(runs: Mapping[tuple[float, float, int], Run], sigmas: Sequence[float], content_decay: float,
                   seeds: Sequence[int]) -> dict[str, pd.DataFrame]:
    """Per sigma ("σ = 0.3"): the training history, epoch by epoch, averaged over the seeds."""
    return {f"σ = {s:g}": pd.concat([runs[(s, content_decay, k)].history for k in seeds])
            .groupby("epoch", as_index=False).mean() for s in sigmas}


def transfer_sources(labels: torch.Tensor) -> torch.Tensor:
    """The first training image of each of the TRANSFER_DIGITS."""
    return fixed_ids(labels, per_class=1)[TRANSFER_DIGITS]


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


#: how the decay table prints each measure's change: scale and format (shares in percentage points)
DECAY_FORMATS = {"transfer_accuracy": (100, ".1f", "class transfer (points)"), "probe_mlp": (100, ".1f", "MLP probe (points)"),
                 "probe_logreg": (100, ".1f", "logistic probe (points)"), "mse": (1, ".4f", "MSE"),
                 "content_norm": (1, ".2f", "code norm"), "diversity": (1, ".2f", "diversity")}


def decay_table(diff: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """``decay_differences`` as the report prints it: "+mean ± std" per sigma and measure."""
    def cell(a: float, s: float, k: float, fmt: str) -> str:
        return f"{a * k:+{fmt}}" + ("" if pd.isna(s) else f" ± {s * k:{fmt}}")

    return pd.DataFrame({DECAY_FORMATS[m][2]: [cell(a, s, *DECAY_FORMATS[m][:2])
                                               for a, s in zip(diff[("mean", m)], diff[("std", m)])]
                         for m in measures}, index=pd.Index([f"{v:g}" for v in diff.index], name="$\\sigma$"))


def decay_table_caption(off: float, on: float) -> str:
    """Caption of the decay-effect table."""
    return (f"Effect of the content decay: each measure with $\\lambda$ = {on:g} minus the same measure with "
            f"$\\lambda$ = {off:g}, same $\\sigma$ and seed (mean ± std over seeds).")


def decay_effects(diff: pd.DataFrame, rows: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """Per measure: the decay's paired effect over sigma (mean, min, max), at how many of the ``n``
    sigma values it is clear, and how it compares with what sigma itself does (``rows``: one decay)."""
    by_sigma = rows.groupby("noise_std")[list(measures)].mean()
    out = {}
    for m in measures:
        d, spread = diff[("mean", m)], by_sigma[m].max() - by_sigma[m].min()
        out[m] = {"mean": d.mean(), "min": d.min(), "max": d.max(), "n": len(d),
                  "clear": int(diff[("clear", m)].sum()), "spread": spread,
                  "ratio": abs(d.mean()) / spread if spread > 0 else float("inf"),
                  "noise_change": by_sigma[m].iloc[-1] - by_sigma[m].iloc[0]}
    return pd.DataFrame.from_dict(out, orient="index")


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
    gives = ", ".join(f"{decay_way[m]} {MEASURES[m]}" for m in real)
    return (text + f"At most $\\sigma$ values it clearly gives {gives}"
            + (", the directions of more noise: a smaller content code stands out less from the same noise. "
               if decay_way == noise_way else ", not all in the direction of more noise. ")
            + f"These effects amount to at most {ratio:.0%} of what moving $\\sigma$ across its range "
            f"does (for the {MEASURES[biggest]}), "
            + ("so at this weight the decay is a small correction next to the noise: the course report's "
               "impression that it did not help is close to what is measured, although its effects are "
               "consistent over seeds." if ratio < SMALL_EFFECT else
               "so at this weight the decay matters on a scale comparable to the noise."))


def evolution_caption(cfg: GLOConfig, snap_epochs: Sequence[int]) -> str:
    """Caption of the evolution figure: the run and the epochs shown (the last one always)."""
    return (f"Reconstructions of the same training digits during the Table 1 run ($\\sigma$ = {cfg.noise_std:g}, "
            f"decay {cfg.content_decay:g}, seed {cfg.seed}) at the end of epoch(s) "
            + ", ".join(str(e) for e in sorted(set(snap_epochs) | {cfg.epochs})) + ".")


#: columns of the noise study's table: measure, heading, scale and format (shares in percent)
TABLE_COLUMNS = (("mse", "MSE", 1, ".4f"), ("transfer_accuracy", "class transfer (%)", 100, ".1f"),
                 ("diversity", "diversity", 1, ".2f"), ("probe_mlp", "MLP probe (%)", 100, ".1f"),
                 ("content_norm", "code norm", 1, ".2f"))


def summary_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per sigma, "mean ± std" over seeds of the TABLE_COLUMNS: the one table of the sigma sweep,
    which every sentence about it quotes."""
    g = rows.groupby("noise_std")
    mean, std = g.mean(numeric_only=True), g.std(ddof=1, numeric_only=True).fillna(0.0)
    table = pd.DataFrame({heading: [f"{m * k:{fmt}} ± {d * k:{fmt}}" for m, d in zip(mean[col], std[col])]
                          for col, heading, k, fmt in TABLE_COLUMNS},
                         index=pd.Index([f"{v:g}" for v in mean.index], name="$\\sigma$"))
    return table


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
    excluded = f"; excluded for their MSE: $\\sigma$ = {_values(pick['excluded'])}" if pick["excluded"] else ""
    if pick["sigma"] == table1_sigma:
        table1 = "; it is the Table 1 value."
    elif table1_sigma in means.index:
        table1 = (f"; the Table 1 value $\\sigma$ = {table1_sigma:g} reaches "
                  f"{means.loc[table1_sigma, 'transfer_accuracy']:.1%} at an MSE of {means.loc[table1_sigma, 'mse']:.4f}.")
    else:
        table1 = "."
    return (f"**Rule for choosing $\\sigma$:** among the values whose mean MSE is at most {mse_tolerance:.0%} above "
            f"the lowest ({pick['best_mse']:.4f}, at $\\sigma$ = {pick['best_mse_sigma']:g}), the one with the highest "
            f"class-transfer accuracy. Eligible: $\\sigma$ = {_values(pick['eligible'])}{excluded}. The rule picks "
            f"**$\\sigma$ = {pick['sigma']:g}**, with {pick['accuracy']:.1%} class transfer at an MSE of "
            f"{pick['mse']:.4f}{table1}")
