"""The noise study's words (notebook 02): the methods paragraph, its findings as checked claims
(``glo_lib.claims``), the captions, and the verdicts the summary reads.

The numbers come from ``studies.noise_study``; this module only says them. A curve is described by
every step of it (rises, falls, stays within the seed spread, peaks at), never by its two ends, and
every claim holds at every row it speaks of or is not printed (``ClaimError``).
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import pandas as pd

from ..claims import Claim, choose, with_exceptions
from ..core.config import GLOConfig
from ..core.sweep import SweepResult
from ..measures.registry import measure
from ..notation import sigma_values
from ..prose import listing, plural
from ..results import VERDICT_COLUMNS
from ..studies.frontier import COLLAPSED_DIVERSITY
from ..studies.noise_study import COLLAPSE_DIGITS, COLLAPSE_PER_DIGIT, OUTCOMES, choose_sigma, step_kind
from . import probe
from .table1 import REFS, ref

#: the report names of this notebook's tables and the sections its sentences point to
JUDGES_TABLE, NOISE_TABLE, DECAY_TABLE = REFS["judges"], REFS["noise"], REFS["decay"]

#: decay effect, as a share of what sigma does across its range, below which the decay is called a
#: small correction next to the noise (a quarter: the noise stays the knob that matters by far)
SMALL_EFFECT = 0.25

#: share of random samples the judge must recognise for them to "still look like digits":
#: more than half, so that a recognisable digit is the typical sample, not the exception
RECOGNISABLE = 0.5

#: the measures whose curves over sigma the noise study describes, in the order it says them (the
#: sample agreement of the table is read by the summary at the lowest sigma: low-noise samples)
SHAPED = ("mse", "transfer_accuracy", "diversity")

#: the measures the methods paragraph defines (each once, in the registry's words), in that order
DEFINED = ("mse", "l1", "transfer_accuracy", "diversity", "sharpness", "probe_mlp", "sample_agreement", "frechet",
           "content_norm")

#: the registry's plain-text formulas, as the report typesets them
_MATH = {"mean (x - y)^2": "the mean of $(x - y)^2$", "mean |x - y|": "the mean of $|x - y|$"}

DECAY_FIGURE_CAPTION = (
    "Content decay $\\lambda$ off and on at each $\\sigma$: content-code norm, reconstruction MSE and "
    "class-transfer accuracy. Points are means over seeds, bars one standard deviation.")


# --- methods -----------------------------------------------------------------------------------

def _definition(name: str) -> str:
    m = measure(name)
    meaning = m.meaning
    for plain, typeset in _MATH.items():
        meaning = meaning.replace(plain, typeset)
    return f"*{m.words}*: {meaning}"


def methods_paragraph(judges: pd.DataFrame) -> str:
    """The judge (architecture, training, where its accuracy per seed is printed) and every measure
    of the report's tables defined once, in the registry's words."""
    runs = sorted(judges["epochs"].unique())
    epochs = listing([f"{e:g}" for e in runs]) + (" epoch" if runs == [1] else " epochs")
    return ("**The judge.** Every measure that reads a digit uses a *judge*: a small CNN (two blocks of a "
            "3×3 convolution with batch norm, ReLU and 2×2 max pooling, of 16 and 32 channels, then a "
            "64-unit feature layer and a linear read-out of the ten digits) trained with Adam for "
            f"{epochs} on the real digits each seed holds out from GLO training (random small "
            "rotations, scalings and shifts), and measured on a fifth of those digits that it never trained "
            f"on ({JUDGES_TABLE}). It never sees a GLO training image, so it can score what GLO draws; its "
            "accuracy on real digits is the ceiling of class transfer, and its 64 features are the space of "
            "the Frechet distance (as FID uses an Inception network's; Heusel et al. 2017).\n\n"
            "**The measures**, taken on the noise-free reconstructions of the training digits unless said "
            "otherwise: " + "; ".join(_definition(n) for n in DEFINED) + " (the *logistic probe* is the same with a "
            "logistic regression). Means are over seeds, ± one "
            "standard deviation; a difference or a step counts only where it exceeds the *seed spread*, the "
            "two standard deviations summed.")


def judges_caption(n_seeds: int) -> str:
    """Caption of the judges' table."""
    return (f"The judges, one per seed ({plural(n_seeds, 'seed')}): real digits held out from GLO training that "
            "each trained on, the test digits it never trained on, and its accuracy on those.")


# --- captions ------------------------------------------------------------------------------------

def reconstruction_caption(sigmas: Sequence[float], seed: int, shown: Sequence[int] = COLLAPSE_DIGITS,
                           per_digit: int = COLLAPSE_PER_DIGIT) -> str:
    """Caption of the reconstructions under each noise level: what is drawn, and nothing it does not show."""
    return (f"The first {per_digit} real training images of each of the digits {listing([str(d) for d in shown])} (top "
            f"row) and their noise-free reconstructions by the models trained with content noise $\\sigma$ = "
            f"{sigma_values(sigmas)}, the Table 1 settings otherwise (seed {seed}). {NOISE_TABLE} gives the "
            f"within-class diversity of every run; for classes drawn as one digit, see the regime in which the "
            f"content codes learn ({ref(probe.TRANSFER_LABEL)}).")


def transfer_caption(seed: int) -> str:
    """Caption of the class-transfer figure (the images are those of ``transfer_sources``)."""
    return (f"Class transfer: the content codes of three training images (a 3, a 5 and a 9, "
            f"left column) drawn with each class code 0 to 9, for each $\\sigma$ (seed {seed}).")


def decay_table_caption(off: float, on: float) -> str:
    """Caption of the decay-effect table."""
    return (f"Effect of the content decay: each measure with $\\lambda$ = {on:g} minus the same measure with "
            f"$\\lambda$ = {off:g}, same $\\sigma$ and seed (mean ± std over seeds); / span: the size of that "
            f"effect as a share of what moving $\\sigma$ across the sweep does to the measure (the range of its "
            f"means in {NOISE_TABLE}).")


def evolution_caption(cfg: GLOConfig, snap_epochs: Sequence[int]) -> str:
    """Caption of the evolution figure: the run and the epochs shown (the last one always)."""
    epochs = sorted(set(snap_epochs) | {cfg.epochs})
    return (f"Reconstructions of the same training digits during the Table 1 run ($\\sigma$ = {cfg.noise_std:g}, "
            f"decay {cfg.content_decay:g}, seed {cfg.seed}) at the end of "
            f"{'epoch' if len(epochs) == 1 else 'epochs'} " + ", ".join(str(e) for e in epochs) + ".")


def table_caption(content_decay: float, n_seeds: int) -> str:
    """Caption of the noise study's table."""
    return (f"The noise sweep (Table 1 settings, content decay {content_decay:g}): mean ± standard deviation over "
            f"{plural(n_seeds, 'seed')}. Class transfer, diversity, agreement (of random samples: a learned class "
            f"code with Gaussian content), MLP probe and code norm as defined in {REFS['methods']}.")


def curves_caption(n_seeds: int, content_decay: float) -> str:
    """Caption of the training curves per sigma (means over the seeds)."""
    return (f"Training objective (left) and reconstruction MSE (right) per epoch for each $\\sigma$, "
            f"means over {plural(n_seeds, 'seed')} (decay {content_decay:g}; logarithmic scales).")


# --- notebook-only sentences (cells the report leaves out) ----------------------------------------

def sweep_sentence(grid: Mapping[str, Sequence], cfg: GLOConfig, result: SweepResult, table1_cached: bool,
                   seconds: float) -> str:
    """The size of the sweep, what was trained or loaded, and the time it took (the notebook's log)."""
    return (f"The sweep covers {len(grid['noise_std'])} noise levels x {len(grid['content_decay'])} decay weights "
            f"x {len(grid['seed'])} seed(s) = {len(result.runs)} runs of {cfg.n_samples} images and "
            f"{cfg.epochs} epochs each. {result.summary()}; with the Table 1 run and its snapshots "
            f"({'loaded' if table1_cached else 'trained'} first) it took {seconds:.1f} s in all.")


def transfer_sentence(rows: pd.DataFrame) -> str:
    """Mean class-transfer accuracy per sigma (the notebook-only transfer figure's companion)."""
    acc = rows.groupby("noise_std")["transfer_accuracy"].mean()
    return ("Class-transfer accuracy per $\\sigma$ (means over seeds): "
            + ", ".join(f"{a:.1%} at $\\sigma$ = {s:g}" for s, a in acc.items()) + ".")


# --- the shape of a curve over sigma ----------------------------------------------------------------

#: how a step of a curve is said (studies.noise_study.sigma_steps gives the kinds)
STEP_WORDS = {"up": "rises", "down": "falls", "flat": "stays within the seed spread"}


def segments(steps: pd.DataFrame) -> list[tuple[str, float, float, int]]:
    """Runs of steps of one kind: (kind, first sigma, last sigma, how many steps)."""
    out: list[list] = []
    for _, r in steps.iterrows():
        if out and out[-1][0] == r["kind"]:
            out[-1][2], out[-1][3] = r["sigma_to"], out[-1][3] + 1
        else:
            out.append([r["kind"], r["sigma_from"], r["sigma_to"], 1])
    return [tuple(s) for s in out]


def shape_phrase(steps: pd.DataFrame) -> str:
    """What a curve does at every step of sigma: "stays within the seed spread from σ = 0 to 0.1,
    then rises at every step from σ = 0.1 to 1", with where it peaks (or is lowest) when it rises
    and then falls (or the other way round)."""
    parts = []
    for kind, a, b, n in segments(steps):
        every = " at every step" if n > 1 and kind != "flat" else ""
        parts.append(f"{STEP_WORDS[kind]}{every} from $\\sigma$ = {a:g} to {b:g}")
    said = ", then ".join(parts)
    moves = [k for k, *_ in segments(steps) if k != "flat"]
    points = pd.Series([steps["before"].iloc[0], *steps["after"]], index=[steps["sigma_from"].iloc[0], *steps["sigma_to"]])
    if moves == ["up", "down"]:
        said += f" (it peaks at $\\sigma$ = {points.idxmax():g})"
    elif moves == ["down", "up"]:
        said += f" (it is lowest at $\\sigma$ = {points.idxmin():g})"
    return said


def shape_claim(steps: pd.DataFrame, tables: Sequence[str]) -> Optional[Claim]:
    """One curve's shape as a checked claim: every step is of the kind the phrase gives it."""
    if steps.empty:
        return None
    said = [kind for kind, _, _, n in segments(steps) for _ in range(n)]
    rows = steps.assign(said=said)
    name = steps["measure"].iloc[0]
    return Claim(f"noise.shape.{name}", f"the {measure(name).words} {shape_phrase(steps)}", tuple(tables), rows,
                 lambda r: step_kind(r["change"], r["spread"]) == r["said"]).check()


def rises_only(steps: pd.DataFrame, kind: str = "up") -> bool:
    """Whether a curve moves only ``kind`` ("up" or "down"), at least once, with no step the other way."""
    other = "down" if kind == "up" else "up"
    return bool((steps["kind"] == kind).any() and not (steps["kind"] == other).any())


def shape_claims(steps: Mapping[str, pd.DataFrame]) -> list[Claim]:
    """The shape claims of SHAPED (those swept), in that order."""
    return [c for c in (shape_claim(steps[m], [NOISE_TABLE]) for m in SHAPED if m in steps) if c is not None]


def collapse_claim(rows: pd.DataFrame) -> Optional[Claim]:
    """Whether any swept sigma collapses a class into one digit (mean diversity below the line)."""
    means = rows.groupby("noise_std")[["diversity"]].mean()
    return with_exceptions(
        "noise.no_collapse", [NOISE_TABLE], means,
        f"No swept $\\sigma$ collapses a class into one digit: the mean within-class diversity stays at or above "
        f"{COLLAPSED_DIVERSITY:g} of the real digits' at every $\\sigma$",
        lambda r: r["diversity"] >= COLLAPSED_DIVERSITY, lambda r: f"at $\\sigma$ = {r.name:g}",
        f"Every swept $\\sigma$ collapses the classes: the mean within-class diversity is below "
        f"{COLLAPSED_DIVERSITY:g} of the real digits' at every $\\sigma$")


def shape_paragraph(claims: Sequence[Claim], collapse: Optional[Claim], steps: Mapping[str, pd.DataFrame]) -> str:
    """What more noise does, every step of every curve (the claims' statements, in order), and what
    that means where the shapes say it."""
    if not claims:
        return ""
    said = (f"**What more noise does ({NOISE_TABLE}).** Step by step over the swept $\\sigma$ (a step counts where "
            "it exceeds the seed spread), " + "; ".join(c.statement for c in claims) + ".")
    mse, transfer = steps.get("mse"), steps.get("transfer_accuracy")
    if mse is not None and transfer is not None and rises_only(mse) and rises_only(transfer):
        said += (" More noise buys class control with reconstruction: the content code can say less about each "
                 "image, so the class code has to say the digit.")
    if "diversity" in steps and rises_only(steps["diversity"], "down"):
        said += " The reconstructions of one digit grow more alike as the content code says less."
    if collapse is not None:
        said += " " + collapse.statement.rstrip(".") + "."
    return said


# --- the rule for sigma, and the sigma this report keeps --------------------------------------------

def _compare(a: float, b: float, spread: float) -> str:
    """"higher", "lower" or "within" (the seed spread): b against a."""
    return "higher" if b - a > spread else "lower" if a - b > spread else "within"


_COMPARED = {"higher": "higher (beyond the seed spread)", "lower": "lower (beyond the seed spread)",
             "within": "within the seed spread of it"}


def choice_claim(means: pd.DataFrame, mse_tolerance: float, table1_sigma: float) -> Claim:
    """The sigma rule applied to ``studies.noise_study.sigma_means``: what it picks, checked at every
    sigma (no eligible sigma has more class transfer), and that the report keeps Table 1's sigma for
    comparability with the course, with how the two compare (beyond or within the seed spread)."""
    pick = choose_sigma(means, mse_tolerance)
    s, acc, mse = pick["sigma"], pick["accuracy"], pick["mse"]
    excluded = f"; above it: $\\sigma$ = {sigma_values(pick['excluded'])}" if pick["excluded"] else ""
    said = (f"**Rule for choosing $\\sigma$.** Among the $\\sigma$ whose mean MSE is at most {mse_tolerance:.0%} above "
            f"the lowest ({pick['best_mse']:.4f}, at $\\sigma$ = {pick['best_mse_sigma']:g}), take the one with the "
            f"highest class transfer. Within that limit: $\\sigma$ = {sigma_values(pick['eligible'])}{excluded}. ")
    said_cmp: dict[str, str] = {}
    if s == table1_sigma:
        said += (f"The rule picks **$\\sigma$ = {s:g}**, Table 1's value ({acc:.1%} class transfer at an MSE of "
                 f"{mse:.4f}), which the rest of the report uses.")
    elif table1_sigma in means.index:
        t = means.loc[table1_sigma]
        said_cmp = {"mse": _compare(mse, t["mse"], means.at[s, "mse_std"] + t["mse_std"]),
                    "transfer_accuracy": _compare(acc, t["transfer_accuracy"],
                                                  means.at[s, "transfer_std"] + t["transfer_std"])}
        said += (f"The rule would pick **$\\sigma$ = {s:g}** ({acc:.1%} class transfer at an MSE of {mse:.4f}). The "
                 f"rest of the report keeps Table 1's $\\sigma$ = {table1_sigma:g} ({t['transfer_accuracy']:.1%} at "
                 f"an MSE of {t['mse']:.4f}), so that its numbers compare with the course report's. Next to the "
                 f"rule's pick, its MSE is {_COMPARED[said_cmp['mse']]} and its class transfer "
                 f"{_COMPARED[said_cmp['transfer_accuracy']]}.")
    else:
        said += (f"The rule would pick **$\\sigma$ = {s:g}** ({acc:.1%} class transfer at an MSE of {mse:.4f}). The "
                 f"rest of the report keeps Table 1's $\\sigma$ = {table1_sigma:g}, which this sweep does not hold, "
                 "so that its numbers compare with the course report's.")

    def holds(r: pd.DataFrame) -> pd.Series:
        eligible = r["mse"] <= pick["limit"]
        beaten = eligible & ((r["transfer_accuracy"] > acc)
                             | ((r["transfer_accuracy"] == acc) & (r["mse"] < mse)))
        ok = ~beaten & ((r.index != s) | eligible)
        if said_cmp:
            t = r.loc[table1_sigma]
            p = r.loc[s]
            same = (_compare(p["mse"], t["mse"], p["mse_std"] + t["mse_std"]) == said_cmp["mse"]
                    and _compare(p["transfer_accuracy"], t["transfer_accuracy"], p["transfer_std"] + t["transfer_std"])
                    == said_cmp["transfer_accuracy"])
            ok &= same
        return ok

    return Claim("noise.sigma_rule", said, (NOISE_TABLE,), means, holds).check()


# --- content regularisation --------------------------------------------------------------------------

def _sigmas(rows: pd.DataFrame) -> str:
    """"$\\sigma$ = 0, 0.1 and 1": the sigma values of ``rows`` as a sentence lists them."""
    return f"$\\sigma$ = {listing([f'{v:g}' for v in rows['noise_std']])}"


def decay_shrink_claim(shares: pd.DataFrame) -> Optional[Claim]:
    """At which sigma the decay clearly shrinks the content codes (every seed, beyond the spread)."""
    rows = shares[shares["measure"] == "content_norm"].set_index("noise_std", drop=False)
    return with_exceptions(
        "noise.decay_shrinks", [DECAY_TABLE], rows,
        f"**The decay does what it is built for.** It shrinks the content codes at every $\\sigma$ ({DECAY_TABLE}: "
        "every seed's code norm falls, by more than the spread)",
        lambda r: r["clear"] & (r["effect"] < 0), lambda r: f"at $\\sigma$ = {r['noise_std']:g}",
        f"**Does the decay do what it is built for?** It does not clearly shrink the content codes at any "
        f"$\\sigma$ ({DECAY_TABLE})")


def decay_effect_claim(shares: pd.DataFrame, name: str) -> Optional[Claim]:
    """Where the decay clearly moves one outcome, and which way, naming every sigma (the rest: not clear)."""
    rows = shares[shares["measure"] == name].set_index("noise_std", drop=False)
    if rows.empty:
        return None
    kind = pd.Series(["none"] * len(rows), index=rows.index).where(~rows["clear"], step_kind(rows["effect"], 0 * rows["effect"]))
    up, down, rest = rows[kind == "up"], rows[kind == "down"], rows[kind == "none"]
    words = measure(name).words
    if len(up) == len(rows) or len(down) == len(rows):
        said = f"it clearly {'raises' if len(up) else 'lowers'} the {words} at every $\\sigma$"
    elif rest.equals(rows):
        said = f"its effect on the {words} is clear at no $\\sigma$"
    else:
        moved = listing([f"raises the {words} at {_sigmas(up)}"] * (not up.empty)
                        + [f"lowers it at {_sigmas(down)}" if len(up) else f"lowers the {words} at {_sigmas(down)}"]
                        * (not down.empty))
        said = f"it clearly {moved}" + (f" and has no clear effect on it at {_sigmas(rest)}" if len(rest) else "")
    return Claim(f"noise.decay_{name}", said, (DECAY_TABLE,), rows.assign(said=kind),
                 lambda r: pd.Series(["none"] * len(r), index=r.index).where(
                     ~r["clear"], step_kind(r["effect"], 0 * r["effect"])) == r["said"]).check()


def decay_size_claim(shares: pd.DataFrame) -> Optional[Claim]:
    """The decay's largest effect on the OUTCOMES as a share of what sigma does, over every sigma and
    both outcomes (the number quoted is a cell of the decay table), and whether that is small."""
    rows = shares[shares["measure"].isin(OUTCOMES) & (shares["span"] > 0)]
    if rows.empty:
        return None
    biggest = rows.loc[rows["share"].idxmax()]
    bound = round(100 * biggest["share"], 1)
    on = ("on both the MSE and class transfer" if set(rows["measure"]) == set(OUTCOMES) else
          f"on the {listing([measure(m).words for m in dict.fromkeys(rows['measure'])])} (the sweep does not move "
          "the other)")
    where = (f"{DECAY_TABLE}, the span columns; largest: the {measure(biggest['measure']).words} at "
             f"$\\sigma$ = {biggest['noise_std']:g}")
    within = lambda r: 100 * r["share"] <= bound + 0.05  # noqa: E731  (the quoted number is rounded)
    return choose("noise.decay_size", [DECAY_TABLE, NOISE_TABLE], rows, [
        (f"At every $\\sigma$, {on}, its effect is at most {bound:.1f}% of what moving $\\sigma$ across the sweep "
         f"does ({where}): at this weight the decay is a small correction next to the noise, and the course "
         "report's impression that it did not help is close to what is measured.",
         lambda r: within(r) & (r["share"] < SMALL_EFFECT)),
        (f"Its effect reaches {bound:.1f}% of what moving $\\sigma$ across the sweep does ({where}), and is at most "
         f"that at every $\\sigma$ {on}: at this weight the decay matters on a scale comparable to the noise.",
         within),
    ])


def decay_claims(shares: pd.DataFrame) -> list[Claim]:
    """The decay's findings, in the order the paragraph says them."""
    return [c for c in (decay_shrink_claim(shares), *(decay_effect_claim(shares, m) for m in OUTCOMES),
                        decay_size_claim(shares)) if c is not None]


def decay_paragraph(claims: Sequence[Claim]) -> str:
    """The decay claims as one paragraph: the shrinking, then "; " between the outcomes, then the size."""
    by = {c.name: c.statement for c in claims}
    said = by.get("noise.decay_shrinks", "").rstrip(".")
    moves = [by[f"noise.decay_{m}"] for m in OUTCOMES if f"noise.decay_{m}" in by]
    if moves:
        joined = "; ".join(moves)
        said += ". " + joined[0].upper() + joined[1:] + "."
    elif said:
        said += "."
    if "noise.decay_size" in by:
        said += " " + by["noise.decay_size"]
    return said.strip()


# --- the verdicts the summary reads --------------------------------------------------------------------

def noise_verdicts(steps: Mapping[str, pd.DataFrame], shape: Sequence[Claim], collapse: Optional[Claim],
                   rows: pd.DataFrame, choice: Claim, decay: Sequence[Claim], mse_tolerance: float,
                   table1_sigma: float) -> pd.DataFrame:
    """What this notebook decided, as the summary reads it (claim, holds, value, sentence):
    "noise_costs_mse", "noise_gives_control" (the MSE, class transfer rise with sigma and never
    fall), "noise_makes_alike" (diversity falls and never rises), "collapse_in_sweep" (value: the
    lowest mean diversity), "low_noise_samples_digits" (value: the sample agreement at the lowest
    sigma), "sigma_rule" (holds: it picks Table 1's sigma; value: the pick), "sigma_rule_tolerance"
    (value: the rule's MSE tolerance), "decay_shrinks" (at every sigma) and "decay_small" (value: the
    largest share); no decay rows without a second decay weight."""
    said = {c.name: c.statement for c in (*shape, *decay)}
    out = []
    for claim, name, kind in (("noise_costs_mse", "mse", "up"), ("noise_gives_control", "transfer_accuracy", "up"),
                              ("noise_makes_alike", "diversity", "down")):
        if name in steps and not steps[name].empty:
            out.append((claim, rises_only(steps[name], kind), float("nan"), said.get(f"noise.shape.{name}", "")))
    means = rows.groupby("noise_std").mean(numeric_only=True)
    out.append(("collapse_in_sweep", bool((means["diversity"] < COLLAPSED_DIVERSITY).any()),
                float(means["diversity"].min()), collapse.statement if collapse is not None else ""))
    if "sample_agreement" in means:
        low = float(means["sample_agreement"].iloc[0])
        out.append(("low_noise_samples_digits", low > RECOGNISABLE, low, said.get("noise.shape.sample_agreement", "")))
    pick = float(choice.rows.pipe(lambda m: choose_sigma(m, mse_tolerance))["sigma"])
    out.append(("sigma_rule", pick == table1_sigma, pick, choice.statement))
    out.append(("sigma_rule_tolerance", True, mse_tolerance, ""))
    shrink = next((c for c in decay if c.name == "noise.decay_shrinks"), None)
    if shrink is not None:
        out.append(("decay_shrinks", bool((shrink.rows["clear"] & (shrink.rows["effect"] < 0)).all()), float("nan"),
                    shrink.statement))
    if "noise.decay_size" in said:
        size = next(c for c in decay if c.name == "noise.decay_size")
        out.append(("decay_small", bool((size.rows["share"] < SMALL_EFFECT).all()), float(size.rows["share"].max()),
                    decay_paragraph(decay)))
    return pd.DataFrame(out, columns=VERDICT_COLUMNS)
