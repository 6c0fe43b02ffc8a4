"""The noise study (notebook 02): its grid, seed summaries and the rule that picks a sigma (its words:
``narrative.noise``)."""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Optional, Sequence

import pandas as pd
import torch

from ..core.data import ByClass, class_names_of
from ..core.judge import Judge, judge_or_load
from ..core.train import Run
from ..measures import registry
from ..measures.metrics import transfer_images
from ..notation import sigma_label


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


# --- what the notebook shows ------------------------------------------------------------------------

#: the measures compared with the decay off and on (figure, table and sentences), in panel order
DECAY_MEASURES = ["content_norm", "mse", "transfer_accuracy", "diversity", "probe_logreg", "probe_mlp"]
#: the measures of the summary table (per sigma, at the figures' decay) and of the sigma rule
SUMMARY_MEASURES = ["mse", "transfer_accuracy", "diversity", "probe_mlp", "content_norm"]
#: digits of the reconstruction figure, and how many real training images of each it shows: enough
#: of one digit, side by side, to see them come out alike when the noise is too high
COLLAPSE_DIGITS, COLLAPSE_PER_DIGIT = (2, 4, 7), 6
#: the digits whose content codes the transfer figure draws with every class code (its caption names them)
TRANSFER_DIGITS = [3, 5, 9]

#: the two outcomes the noise trades against each other: the decay's effect on them is weighed
#: against what sigma does (the span columns of the decay table)
OUTCOMES = ("mse", "transfer_accuracy")
#: the decay measures the report's figure and table show: what the decay acts on (the code norm)
#: and the two outcomes the noise trades against each other
DECAY_SHOWN = ["content_norm", "mse", "transfer_accuracy"]


def runs_at(runs: Mapping[tuple[float, float, int], Run], sigmas: Sequence[float], content_decay: float,
            seed: int) -> dict[float, Run]:
    """The run of each sigma at one decay weight and seed (the runs the figures show)."""
    return {s: runs[(s, content_decay, seed)] for s in sigmas}


def at_decay(rows: pd.DataFrame, content_decay: float) -> pd.DataFrame:
    """The measured rows of one decay weight."""
    return rows[rows.content_decay == content_decay]


def reconstruction_rows(truth: torch.Tensor, runs: Mapping[float, Run], ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Ground truth, then the noise-free reconstructions of the same images by the run of each sigma."""
    return {"ground truth": truth, **{sigma_label(s): run.reconstructions(ids) for s, run in runs.items()}}


def reconstruction_ids(labels: torch.Tensor, shown: Sequence[int] = COLLAPSE_DIGITS,
                       per_digit: int = COLLAPSE_PER_DIGIT) -> torch.Tensor:
    """The first ``per_digit`` training images of each of the ``shown`` digits, digit by digit."""
    return torch.cat([torch.nonzero(labels == k).flatten()[:per_digit] for k in shown])


def mean_histories(runs: Mapping[tuple[float, float, int], Run], sigmas: Sequence[float], content_decay: float,
                   seeds: Sequence[int]) -> dict[str, pd.DataFrame]:
    """Per sigma ("σ = 0.3"): the training history, epoch by epoch, averaged over the seeds."""
    return {sigma_label(s): pd.concat([runs[(s, content_decay, k)].history for k in seeds])
            .groupby("epoch", as_index=False).mean() for s in sigmas}


def transfer_sources(labels: torch.Tensor) -> torch.Tensor:
    """The first training image of each of the TRANSFER_DIGITS."""
    return fixed_ids(labels, per_class=1)[TRANSFER_DIGITS]


def decay_table(diff: pd.DataFrame, measures: Sequence[str], shares: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """``decay_differences`` as the report prints it: "+mean ± std" per sigma and measure, in the
    registry's formats (shares in percentage points; the std left out with one seed), followed by
    the ``share_columns`` of ``shares`` when given."""
    table = pd.DataFrame({registry.heading(m, change=True):
                          [registry.fmt_mean_std(m, a, s, sign=True) for a, s in zip(diff[("mean", m)], diff[("std", m)])]
                          for m in measures}, index=pd.Index([f"{v:g}" for v in diff.index], name="$\\sigma$"))
    return table if shares is None or shares.empty else table.join(share_columns(shares))


def decay_shares(diff: pd.DataFrame, rows: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """One row per (sigma, measure): the decay's paired effect at that sigma (mean over seeds) and
    its size as a share of what sigma itself does to the measure across the swept range (the
    span of the seed means of ``rows``, one decay): what "the decay is small next to sigma" speaks of."""
    by_sigma = rows.groupby("noise_std")[list(measures)].mean()
    out = []
    for m in measures:
        span = by_sigma[m].max() - by_sigma[m].min()
        for s, effect in diff[("mean", m)].items():
            out.append({"noise_std": float(s), "measure": m, "effect": effect, "clear": bool(diff.at[s, ("clear", m)]),
                        "span": span, "share": abs(effect) / span if span > 0 else float("inf")})
    return pd.DataFrame(out, columns=["noise_std", "measure", "effect", "clear", "span", "share"])


def share_columns(shares: pd.DataFrame) -> pd.DataFrame:
    """``decay_shares`` as the decay table prints it beside the effects: per sigma, each measure's
    effect in percent of sigma's span ("MSE / span (%)"), one decimal, for the OUTCOMES (the number
    the decay verdict quotes is one of these cells)."""
    shares = shares[shares["measure"].isin(OUTCOMES)]
    wide = shares.pivot(index="noise_std", columns="measure", values="share")
    return pd.DataFrame({f"{registry.measure(m).label} / span (%)": [f"{100 * v:.1f}" if math.isfinite(v) else "–" for v in wide[m]]
                         for m in dict.fromkeys(shares["measure"])},
                        index=pd.Index([f"{v:g}" for v in wide.index], name="$\\sigma$"))


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


#: measures of the noise study's table, in its column order (headings and formats: the registry's)
TABLE_COLUMNS = ("mse", "transfer_accuracy", "diversity", "sample_agreement", "probe_mlp", "content_norm")


def sigma_steps(rows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One row per step between neighbouring swept sigmas: the seed means of ``measure`` before and
    after, the change, the seed spread (the two standard deviations over seeds summed, and never
    less than the registry's tolerance of the measure) and the step's kind: "up" or "down" when
    the change exceeds the spread, else "flat" (within the seed spread). A curve is described by
    every one of its steps, never by its two ends."""
    g = rows.groupby("noise_std")[measure]
    mean, std = g.mean(), g.std(ddof=1).fillna(0.0)
    sig = list(mean.index)
    out = []
    for a, b in zip(sig, sig[1:]):
        change, spread = mean[b] - mean[a], max(std[a] + std[b], registry.tolerance(measure))
        out.append({"measure": measure, "sigma_from": float(a), "sigma_to": float(b), "before": mean[a],
                    "after": mean[b], "change": change, "spread": spread, "kind": step_kind(change, spread)})
    return pd.DataFrame(out, columns=["measure", "sigma_from", "sigma_to", "before", "after", "change", "spread",
                                      "kind"])


def step_kind(change, spread):
    """"up", "down" or "flat" (within the spread), elementwise for Series."""
    if isinstance(change, pd.Series):
        return pd.Series(["up" if c > s else "down" if c < -s else "flat" for c, s in zip(change, spread)],
                         index=change.index)
    return "up" if change > spread else "down" if change < -spread else "flat"


def sigma_means(rows: pd.DataFrame, mse_tolerance: float) -> pd.DataFrame:
    """Per sigma: the seed means and standard deviations of MSE and class transfer, and whether
    the sigma is eligible under the rule of ``choose_sigma`` (its MSE within the tolerance)."""
    g = rows.groupby("noise_std")
    means = g[["mse", "transfer_accuracy"]].mean()
    limit = means["mse"].min() * (1 + mse_tolerance)
    return pd.DataFrame({"mse": means["mse"], "transfer_accuracy": means["transfer_accuracy"],
                         "mse_std": g["mse"].std(ddof=1).fillna(0.0),
                         "transfer_std": g["transfer_accuracy"].std(ddof=1).fillna(0.0),
                         "limit": limit, "eligible": means["mse"] <= limit})


def seed_judges(runs: Iterable[Run], judge_epochs: int) -> dict[int, Judge]:
    """The judge of each seed's held-out pool (the one ``evaluate_runs`` used: loaded from the cache)."""
    return {s: judge_or_load(r.digits, epochs=judge_epochs) for s, r in sorted({r.config.seed: r for r in runs}.items())}


def judges_table(judges: Mapping[int, Judge]) -> pd.DataFrame:
    """One row per seed: the judge's training and test digits (real, held out from GLO), its epochs
    and its accuracy on the test digits, which it never trained on."""
    return pd.DataFrame([{"seed": s, "training digits": j.n_train, "test digits": j.n_test, "epochs": j.epochs,
                          "accuracy (%)": registry.fmt("judge_accuracy", j.accuracy)} for s, j in judges.items()])


def summary_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per sigma, "mean ± std" over seeds of the TABLE_COLUMNS: the one table of the sigma sweep,
    which every sentence about it quotes."""
    g = rows.groupby("noise_std")
    mean, std = g.mean(numeric_only=True), g.std(ddof=1, numeric_only=True).fillna(0.0)
    table = pd.DataFrame({registry.heading(c): [registry.fmt_mean_std(c, m, d) for m, d in zip(mean[c], std[c])]
                          for c in TABLE_COLUMNS},
                         index=pd.Index([f"{v:g}" for v in mean.index], name="$\\sigma$"))
    return table


