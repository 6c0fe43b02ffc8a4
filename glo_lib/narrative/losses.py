"""The loss comparison's words (notebook 03): which loss leads on what (a lead within the seed spread is
no win), whether one loss reconstructs best on a yardstick that favours none, whether L2 blurs, the
degenerate runs explained, the captions, and the verdicts the summary reads. Every finding is a
checked claim (``glo_lib.claims``) over the loss table's rows.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..claims import Claim
from ..core.sweep import SweepResult
from ..measures.registry import measure
from ..notation import LOSS_NAMES
from ..prose import listing, plural
from ..results import VERDICT_COLUMNS
from ..studies.loss_study import LossMeans, loss_means, normal_runs, ranking
from .table1 import REFS

#: the report name of this notebook's table, as its claims cite it
LOSS_TABLE = REFS["losses"]

#: (measure, what leading on it means, what is best: "low", "high" or "one" = closest to the real
#: digits, the measure as a noun)
VERDICTS = (("mse", "lowest MSE", "low", "MSE"), ("l1", "lowest L1 error", "low", "L1 error"),
            ("sharpness", "sharpness closest to the real digits", "one", "sharpness"),
            ("transfer_accuracy", "highest class-transfer accuracy", "high", "class transfer"),
            ("diversity", "diversity closest to the real digits", "one", "diversity"))

#: the two pixel measures "reconstructs best" is judged on: each is one loss's own objective (MSE is
#: L2's, L1 error is L1's), so a loss reconstructs best only when it leads on both
PIXEL_MEASURES = ("mse", "l1")

#: reconstructions holding less than this share of the real digits' ink are "too faint": the run
#: draws background where the digits have strokes
FAINT_INK = 0.7


def _name(loss: str) -> str:
    return LOSS_NAMES.get(loss, loss)


def _floor(column: str) -> float:
    """The least a seed spread counts as: the registry's tolerance of the measure (two values that
    close are the same), else a rounding error's worth."""
    m = measure(column)
    return m.tolerance if m.tolerance is not None else 1e-12


def _standing(means: LossMeans, column: str, best: str) -> pd.DataFrame:
    """Per loss (best first): its sort key on ``column`` (lower is better), its gap to the best,
    the seed spread of that gap (the two standard deviations summed) and whether it is within it."""
    order, key = ranking(means, column, best)
    win = order[0]
    std = means.std[column]
    spread = (std[order] + std[win]).clip(lower=_floor(column))
    rows = pd.DataFrame({"key": key[order], "gap": key[order] - key[win], "spread": spread},
                        index=pd.Index(order, name="loss"))
    return rows.assign(within=rows["gap"] <= rows["spread"])


def leaders(means: LossMeans, column: str, best: str) -> list[str]:
    """The losses that lead on ``column``: the best and every loss within the seed spread of it."""
    rows = _standing(means, column, best)
    return list(rows.index[rows["within"]])


def lead_claim(measures: pd.DataFrame, column: str, name: str, best: str, noun: str) -> Optional[Claim]:
    """Who leads on one measure, checked at every loss: the best alone (beyond the seed spread of every
    other loss), the best with the losses within the seed spread of it (no win), or no loss at all
    when every one is within it; None with one loss."""
    means = loss_means(normal_runs(measures))
    rows = _standing(means, column, best)
    if len(rows) < 2:
        return None
    win, tied = rows.index[0], [l for l in rows.index[1:] if rows.at[l, "within"]]
    if means.n_seeds == 1:  # no spread: only values within the measure's tolerance are the same
        said = (f"{_name(win)} has the {name}" if not tied else
                f"{listing([_name(l) for l in [win, *tied]])} share the {name}")
    elif len(tied) == len(rows) - 1:
        said = f"on the {noun}, every loss is within the seed spread of the best ({_name(win)}'s)"
    elif not tied:
        said = f"{_name(win)} has the {name}, beyond the seed spread of every other loss"
    else:
        said = (f"the {name} is {_name(win)}'s, with {listing([_name(l) for l in tied])} within the seed spread of "
                f"it (no win)")
    return Claim(f"losses.lead.{column}", said, (LOSS_TABLE,), rows.assign(said=rows.index.isin([win, *tied])),
                 lambda r: (r["gap"] <= r["spread"]) == r["said"]).check()


def lead_claims(measures: pd.DataFrame) -> list[Claim]:
    """``lead_claim`` for every measure of VERDICTS, in that order."""
    return [c for c in (lead_claim(measures, *v) for v in VERDICTS) if c is not None]


def _lead_words(lead: list[str], what: str) -> str:
    """"the lowest MSE is L2's" or "L2 and L1+L2 share the lowest MSE, within the seed spread"."""
    if len(lead) == 1:
        return f"the lowest {what} is {_name(lead[0])}'s"
    return f"{listing([_name(l) for l in lead])} share the lowest {what}, within the seed spread"


def best_claim(measures: pd.DataFrame) -> Optional[Claim]:
    """Whether one loss reconstructs best: it leads alone on both PIXEL_MEASURES (each the objective of
    another loss), beyond the seed spread; checked at every loss. None with one loss."""
    means = loss_means(normal_runs(measures))
    if len(means.mean) < 2:
        return None
    lead = {m: leaders(means, m, "low") for m in PIXEL_MEASURES}
    sole = [l for l in means.mean.index if all(lead[m] == [l] for m in PIXEL_MEASURES)]
    rule = ("**Which loss reconstructs best?** MSE is L2's own objective and the L1 error L1's, so each favours "
            "its own loss: a loss reconstructs best only if it leads on both, beyond the seed spread. ")
    rows = pd.DataFrame({f"leads_{m}": [lead[m] == [l] for l in means.mean.index] for m in PIXEL_MEASURES},
                        index=means.mean.index)
    if sole:
        said = rule + f"{_name(sole[0])} does ({LOSS_TABLE})."
        pred = lambda r: (r["leads_mse"] & r["leads_l1"]) == (r.index == sole[0])  # noqa: E731
    else:
        said = rule + (f"No loss does here ({LOSS_TABLE}): {_lead_words(lead['mse'], 'MSE')}, and "
                       f"{_lead_words(lead['l1'], 'L1 error')}.")
        pred = lambda r: ~(r["leads_mse"] & r["leads_l1"])  # noqa: E731
    return Claim("losses.reconstructs_best", said, (LOSS_TABLE,), rows, pred).check()


def blur_claim(measures: pd.DataFrame) -> Optional[Claim]:
    """Whether L2 blurs: its reconstructions the least sharp, beyond the seed spread of every other
    loss; None without L2 or without a rival."""
    means = loss_means(normal_runs(measures))
    if "l2" not in means.mean.index or len(means.mean) < 2:
        return None
    sharp = means.mean["sharpness"]
    least = sharp.idxmin()
    spread = lambda a, b: max(means.std.at[a, "sharpness"] + means.std.at[b, "sharpness"], _floor("sharpness"))  # noqa: E731
    tied = [l for l in sharp.index if l != least and sharp[l] - sharp[least] <= spread(l, least)]
    if least == "l2" and not tied:
        said = (f"**Does L2 blur?** Yes, as expected: its reconstructions are the least sharp (sharpness relative to "
                f"the real digits, {LOSS_TABLE}), beyond the seed spread of every other loss.")
    elif least == "l2" or "l2" in tied:
        others = listing([_name(l) + "'s" for l in [least, *tied] if l != "l2"])
        said = (f"**Does L2 blur?** Not beyond the others: its reconstructions are among the least sharp "
                f"({LOSS_TABLE}), within the seed spread of {others}.")
    else:
        said = (f"**Does L2 blur?** Not more than the others: {_name(least)}'s reconstructions are the least sharp "
                f"({LOSS_TABLE}), beyond the seed spread of L2's.")
    table = pd.DataFrame({"sharpness": sharp, "std": means.std["sharpness"]})
    table["said_least"] = [l in [least, *tied] for l in table.index]
    return Claim("losses.l2_blurs", said, (LOSS_TABLE,), table,
                 lambda r: ((r["sharpness"] - r["sharpness"].min())
                            <= (r["std"] + r.loc[r["sharpness"].idxmin(), "std"]).clip(lower=_floor("sharpness")))
                 == r["said_least"]).check()


def loss_claims(measures: pd.DataFrame) -> list[Claim]:
    """Every checked finding of the loss comparison, in the order the notebook prints them."""
    return [c for c in (*lead_claims(measures), best_claim(measures), blur_claim(measures)) if c is not None]


def runs_sentence(result: SweepResult) -> str:
    """How many runs were trained or loaded, on how much data."""
    cfg = result.runs[0].config
    losses = list(dict.fromkeys(r.config.loss for r in result.runs))
    seeds = list(dict.fromkeys(r.config.seed for r in result.runs))
    return (f"{len(losses)} loss{'es' if len(losses) > 1 else ''} × {plural(len(seeds), 'seed')} "
            f"({', '.join(map(str, seeds))}), {cfg.n_samples} digits and {cfg.epochs} epochs each: "
            f"{result.summary()}.")


def curves_caption(n_seeds: int) -> str:
    """The caption of the training curves (the course report's Figure 4; means over seeds when there are several)."""
    return ("Training curves of each loss (the course report's Figure 4), per epoch on log scales: the loss it "
            "optimised (left, in its own units), and the MSE (middle) and L1 error (right) of its noise-free "
            "reconstructions, the common yardstick" + (f"; means over {n_seeds} seeds." if n_seeds > 1 else "."))


def table_caption(measures: pd.DataFrame) -> str:
    """The caption of ``measure_table``."""
    n = int(measures["seed"].nunique())
    flagged = (" A degenerate run (MSE more than twice the median of all runs) has its own row and is left "
               "out of its loss's mean." if measures.get("degenerate", pd.Series(dtype=bool)).any() else "")
    return (f"Measures per loss, mean{' ± standard deviation' if n > 1 else ''} over {plural(n, 'seed')}; "
            f"sharpness and diversity are relative to real digits (1 = like MNIST).{flagged}")


def wins_sentence(measures: pd.DataFrame) -> str:
    """Who leads on what (over the normal runs), each measure once, a lead within the seed spread
    named as no win; then whether one loss reconstructs best (``best_claim``)."""
    leads = lead_claims(measures)
    if not leads:
        return ""
    one = "; one seed: no spread to weigh a lead against" if loss_means(normal_runs(measures)).n_seeds == 1 else ""
    said = f"Of the runs that trained normally ({LOSS_TABLE}{one}): " + "; ".join(c.statement for c in leads) + "."
    best = best_claim(measures)
    return said + (" " + best.statement if best is not None else "")


def blur_sentence(measures: pd.DataFrame) -> Optional[str]:
    """Whether L2 blurs (``blur_claim``); None without L2 or without a rival."""
    claim = blur_claim(measures)
    return None if claim is None else claim.statement


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
    """The course report's loss claims as the summary reads them, decided by this notebook's claims on the
    normal runs: "l1+l2_best" (value: the loss that reconstructs best, or "none"), "l2_blurs" (value:
    "l2" when L2 alone is the least sharp, "tied" when it is within the seed spread of the least sharp,
    else the least sharp loss) and "degenerate_left_out" (value: how many runs), each with its sentence."""
    best, blur = best_claim(measures), blur_claim(measures)
    means = loss_means(normal_runs(measures))
    lead = {m: leaders(means, m, "low") for m in PIXEL_MEASURES} if len(means.mean) > 1 else {}
    sole = [l for l in means.mean.index if lead and all(lead[m] == [l] for m in PIXEL_MEASURES)]
    winner = sole[0] if sole else "none"
    sharp = means.mean["sharpness"]
    blurry = sharp.idxmin() if len(sharp) else "none"
    if blur is not None and "Not beyond the others" in blur.statement:
        blurry = "tied"
    n_bad = int(measures["degenerate"].sum()) if "degenerate" in measures else 0
    rows = [("l1+l2_best", winner == "l1+l2", winner, best.statement if best is not None else ""),
            ("l2_blurs", blurry == "l2", blurry, blur.statement if blur is not None else ""),
            ("degenerate_left_out", n_bad > 0, n_bad, degenerate_sentence(measures) or "")]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
