"""The adversarial content probe's words (notebook 05): captions, and its findings as checked claims
(``glo_lib.claims``): every sentence that states a result holds at every setting it speaks of.

The numbers come from ``studies.content_probe``'s setting means (mean over seeds and the 95%
interval, ``<measure>_ci``); a difference counts only when the intervals do not overlap, and a
collapsed setting is never evidence.
"""
from __future__ import annotations

from typing import Optional, Sequence

import pandas as pd

from ..claims import Claim, choose, with_exceptions
from ..notation import INIT_NAMES
from ..prose import listing, plural
from ..results import VERDICT_COLUMNS
from ..studies.content_probe import LEARNING, PUSH_MSE, TABLE1, TARGET_TRANSFER, meets_push

#: mean content-code travel (share of the starting length) below which codes still look like
#: their random start: a code moved by a quarter of its length still points within about 14
#: degrees of where it began (cosine >= 0.97), so little can have been written into it
FAR_SHIFT = 0.25

#: the report names of this notebook's tables, as the claims cite them (their identities in the
#: claims' records; what a sentence prints is a numbered reference, below)
REGIME_TABLE, LEAKAGE_TABLE, FLOOR_TABLE = "the regimes table", "the leakage table", "the floors table"
#: the labels of this notebook's floats (``show_table``/``show_figure``'s ``label``), and the references
#: the sentences and captions print: Markdown links that the build turns into "Table 8", "Figure 10"
#: (glo_lib/reporting/display.py)
REGIME_LABEL, INIT_LABEL, LEAKAGE_LABEL, FLOOR_LABEL = "tab:regimes", "tab:init", "tab:leakage", "tab:floors"
FIGURE_LABEL, TRANSFER_LABEL = "fig:leakage", "fig:learning-transfer"


def _ref(label: str) -> str:
    """A reference to one of the labels above: "[Table](#tab:regimes)", printed "Table 8"."""
    return f"[{'Figure' if label.startswith('fig:') else 'Table'}](#{label})"


REGIME_REF, LEAKAGE_REF, FLOOR_REF, FIGURE_REF = map(_ref, (REGIME_LABEL, LEAKAGE_LABEL, FLOOR_LABEL, FIGURE_LABEL))
#: the build's other table a claim about "every setting" must also hold over
NOISE_TABLE = "notebook 02's noise study"


def _lo(rows: pd.DataFrame, c: str) -> pd.Series:
    return rows[c] - rows[f"{c}_ci"].fillna(0)


def _hi(rows: pd.DataFrame, c: str) -> pd.Series:
    return rows[c] + rows[f"{c}_ci"].fillna(0)


def plain(means: pd.DataFrame, regime: str) -> pd.DataFrame:
    """A regime's settings without the adversary, by sigma."""
    return means[(means["regime"] == regime) & (means["adversary_weight"] == 0)].sort_values("noise_std")


# --- captions ---------------------------------------------------------------------------------

def regimes_caption(n_seeds: int, lr_content: float, init: str) -> str:
    return (f"The two regimes without the adversary: Table 1 as the course ran it, and codes that learn (content "
            f"learning rate {lr_content:g}, {INIT_NAMES[init]}). Means over {plural(n_seeds, 'seed')} $\\pm$ the 95% "
            "interval. Travel: distance a content code moved from its start, as a share of its starting length; "
            "$\\sigma$/spread: the noise against the codes' standard deviation across images. "
            "Style kept: correlation of the style attributes between a digit and its class transfers "
            "(0 = one prototype per class).")


def init_caption(sigma: float, chosen: str) -> str:
    return (f"Choosing the initialisation of the learning regime: both starts at $\\sigma$ = {sigma:g}, means "
            f"$\\pm$ the 95% interval over seeds. Kept: {INIT_NAMES[chosen]}, the lower MSE among those that "
            "did not collapse.")


def leakage_caption(n_seeds: int) -> str:
    return ("Class in the content codes and class the generator takes from them, per setting (with the adversary "
            f"where it says so). Means over {plural(n_seeds, 'seed')} $\\pm$ the 95% interval. Probes: fresh MLPs reading the "
            "digit from the clean codes $c$ and (noisy probe) from $c + \\epsilon$ as the generator sees them; "
            "class-blind: content codes drawn with the mean class code and read as their own digit; as source: of "
            "the misread transfers, the share read as the content's own digit; "
            "code $R^2$: the share of the codes' variance the style attributes explain.")


def floors_caption() -> str:
    return ("What the probes read without class in the codes: from the style attributes of the real training "
            "digits (ink, centroid, spreads, slant, bounding box, stroke width; the same probe and folds, mean "
            "$\\pm$ 95% interval over seeds), from codes with shuffled labels (every run), and chance.")


def figure_caption() -> str:
    return ("Question 6.2. (a) The MLP probe on the clean content codes (solid) and on the noisy ones (dashed) "
            "against $\\sigma$, over the style floor (grey band) and the permutation null (dotted). (b) The share "
            "of content codes drawn with the class-blind code that the judge reads as their own digit (dotted: "
            "chance). (c) Reconstruction MSE against class transfer for every setting; shaded: class transfer "
            f"$\\geq$ {TARGET_TRANSFER:.0%} at MSE $\\leq$ {PUSH_MSE:.3f}. Triangles: with the adversary; hollow "
            "circles: collapsed settings. Bars: 95% intervals over seeds.").replace("%", "\\%")


def transfer_caption(sigmas: Sequence[float], seed: int) -> str:
    return ("What the numbers look like where codes learn: the content codes of three training digits (a 3, a 5 "
            "and a 9, left column) drawn with each class code 0 to 9, by the runs at "
            f"$\\sigma$ = {listing([f'{s:g}' for s in sigmas])} (seed {seed}). Their class transfer, style kept "
            f"and collapse flags are those of {REGIME_REF}; their class-blind share is in {LEAKAGE_REF}.")


# --- checked claims ---------------------------------------------------------------------------

def _setting(r: pd.Series) -> str:
    """How a claim names one setting: "codes that learn at σ = 2" (with the adversary where it is on)."""
    adv = f" with the adversary (weight {r['adversary_weight']:g})" if r["adversary_weight"] else ""
    return f"{r['regime']} at $\\sigma$ = {r['noise_std']:g}{adv}"


def travel_claim(means: pd.DataFrame, ratio: float) -> Optional[Claim]:
    """Whether the codes leave their start: Table 1's stay near it and the learning regime's travel."""
    rows = means[(means["adversary_weight"] == 0) & ~means["collapsed"]]
    return with_exceptions(
        "probe.travel", [REGIME_TABLE], rows,
        "**Two regimes.** Under Table 1 every content code ends less than a quarter of its starting length from "
        "where it began, so the course's noise study describes a generator conditioned on codes that are still "
        f"nearly their random start; with the content learning rate {ratio:g} times the generator's, the codes travel "
        f"further than that (travel in {REGIME_REF}). This holds at every $\\sigma$.",
        lambda r: (r["content_shift"] < FAR_SHIFT) == (r["regime"] == TABLE1), _setting,
        f"**Two regimes?** The travel of the codes ({REGIME_REF}) does not separate the two settings at any "
        "$\\sigma$: Table 1's codes travel as far as those that learn faster.")


def leak_claim(means: pd.DataFrame) -> Optional[Claim]:
    """Question 6.2 answered functionally: at sigma 0, does the content code alone carry the digit
    to the image (the class-blind share's interval above its chance)? Every regime that did not
    collapse is spoken of."""
    rows = means[(means["adversary_weight"] == 0) & (means["noise_std"] == 0) & ~means["collapsed"]]
    where = f"under {listing(sorted(rows['regime'].unique()))}" if len(rows) else ""
    return with_exceptions(
        "probe.leak_at_zero", [LEAKAGE_TABLE], rows,
        "**Too little noise lets the class into the content code.** Without noise, content codes drawn with "
        "the class-blind code come out as their own digit more often than chance allows (the 95% interval of "
        f"the class-blind column of {LEAKAGE_REF} lies above chance) {where}: the generator takes part of the "
        "class from the content code.",
        lambda r: _lo(r, "class_blind_source") > r["class_blind_chance"], _setting,
        "**Too little noise?** Without noise, content codes drawn with the class-blind code are read as their "
        f"own digit no more often than chance allows {where} ({LEAKAGE_REF}).")


def leak_shape_claim(means: pd.DataFrame) -> Optional[Claim]:
    """The class-blind share against sigma in the learning regime, up to collapse: falls at every
    step, or the steps where it does not, by name (never the endpoints alone)."""
    rows = plain(means, LEARNING)
    rows = rows[~rows["collapsed"]]
    prev_hi = _hi(rows, "class_blind_source").shift(1)
    falls = lambda r: (r["class_blind_source"] <= prev_hi.loc[r.index]) | prev_hi.loc[r.index].isna()  # noqa: E731
    return with_exceptions(
        "probe.leak_shape", [LEAKAGE_TABLE], rows,
        "With codes that learn, the class-blind share does not rise with any step of $\\sigma$ up to the "
        f"collapse (panel (b) of {FIGURE_REF}): more noise leaves the generator less class to take from the content.",
        falls, lambda r: f"it rises at $\\sigma$ = {r['noise_std']:g}",
        "With codes that learn, the class-blind share rises with every step of $\\sigma$ up to the collapse.")


def floor_claim(means: pd.DataFrame, floor: float) -> Optional[Claim]:
    """The probe against the style floor, at every setting that did not collapse."""
    rows = means[~means["collapsed"]]
    return with_exceptions(
        "probe.style_floor", [LEAKAGE_TABLE, FLOOR_TABLE], rows,
        "**Against the right floor.** No content code gives its digit away to a fresh MLP probe better than the "
        f"digit's style alone does (the style floor, {FLOOR_REF}), at any setting that did not collapse: what the "
        "probes read could be style rather than class.",
        lambda r: _hi(r, "probe_mlp") < floor, _setting,
        "**Against the right floor.** At every setting that did not collapse, the MLP probe reads the digit "
        "from the content codes better than from the style attributes of the digits themselves.")


#: code R^2 below which the style attributes explain "almost none" of the content codes' variance
LITTLE_R2 = 0.2


def style_claim(means: pd.DataFrame) -> Optional[Claim]:
    """Does the content code carry style? The code R^2 (the share of the codes' variance the nine
    style attributes explain, cross-validated) at every setting that did not collapse."""
    rows = means[~means["collapsed"]]
    return with_exceptions(
        "probe.code_is_not_style", [LEAKAGE_TABLE], rows,
        "**Style, identity or class?** The style attributes explain almost none of the content codes' "
        f"variance (code $R^2$ below {LITTLE_R2:g}, intervals included) at every setting that did not collapse: "
        "beyond the class they leak, the codes hold what tells one training image from another, not a linear "
        "code of its style.",
        lambda r: _hi(r, "code_r2") < LITTLE_R2, _setting,
        f"**Style, identity or class?** The style attributes explain a fifth or more of the content codes' "
        "variance at every setting that did not collapse: the codes are partly a code of style.")


def adversary_pairs(means: pd.DataFrame) -> pd.DataFrame:
    """Each adversary setting beside the same regime and sigma without it (suffixes _adv, _none)."""
    adv, none = means[means["adversary_weight"] > 0], means[means["adversary_weight"] == 0]
    return adv.merge(none, on=["regime", "noise_std"], suffixes=("_adv", "_none"))


def adversary_claims(means: pd.DataFrame) -> list[Claim]:
    """What the adversary does to the class-blind share and to the MSE, pair by pair."""
    pairs = adversary_pairs(means)
    pairs = pairs[~(pairs["collapsed_adv"] | pairs["collapsed_none"])]
    if pairs.empty:
        return []
    name = lambda r: f"{r['regime']} at $\\sigma$ = {r['noise_std']:g}"  # noqa: E731
    lower = lambda r: (r["class_blind_source_adv"] + r["class_blind_source_ci_adv"]  # noqa: E731
                       < r["class_blind_source_none"] - r["class_blind_source_ci_none"])
    costs = lambda r: r["mse_adv"] - r["mse_ci_adv"] > r["mse_none"] + r["mse_ci_none"]  # noqa: E731
    return [c for c in (
        with_exceptions("probe.adversary_leak", [LEAKAGE_TABLE], pairs,
                        "**The adversary.** Trained against a class adversary, the content codes pass less class "
                        "to the generator: the class-blind share falls below the same setting's without the "
                        "adversary, the 95% intervals apart.", lower, name,
                        "**The adversary.** The adversary does not lower the class-blind share at any setting "
                        f"beyond the 95% intervals ({LEAKAGE_REF})."),
        with_exceptions("probe.adversary_cost", [REGIME_TABLE, LEAKAGE_TABLE], pairs,
                        "It costs reconstruction: the MSE rises above the same setting's without the adversary, "
                        "the intervals apart.", costs, name,
                        "It costs no reconstruction beyond the 95% intervals at any setting."),
    ) if c is not None]


def lord_claim(means: pd.DataFrame, sigma: float) -> Optional[Claim]:
    """LORD's argument, checked where it is made: with codes that learn and Table 1's noise, does the
    adversary still lower the class-blind share?"""
    pairs = adversary_pairs(means)
    rows = pairs[(pairs["regime"] == LEARNING) & (pairs["noise_std"] == sigma)]
    apart = lambda r: (r["class_blind_source_adv"] + r["class_blind_source_ci_adv"]  # noqa: E731
                       < r["class_blind_source_none"] - r["class_blind_source_ci_none"])
    return choose("probe.lord", [LEAKAGE_TABLE], rows, [
        (f"**Does noise need an adversary?** LORD argues that latent optimisation with noise needs none. Here, with "
         f"codes that learn and $\\sigma$ = {sigma:g}, the adversary leaves the class-blind share within the 95% "
         "interval of the noise alone: the noise already does the adversary's work, as LORD argues.",
         lambda r: ~apart(r)),
        (f"**Does noise need an adversary?** LORD argues that latent optimisation with noise needs none. Here, with "
         f"codes that learn and $\\sigma$ = {sigma:g}, the adversary still lowers the class-blind share beyond the "
         "95% intervals: at this noise the codes pass class that only the adversary removes, so the argument "
         "does not hold at this scale.", apart),
    ])


def push_claim(means: pd.DataFrame, others: pd.DataFrame) -> list[Claim]:
    """The frontier push over every setting of the build's sweeps (this notebook's and notebook 02's):
    the settings that meet it, or that none does, with the nearest on each side."""
    rows = pd.concat([means, others], ignore_index=True)
    rows = rows[~rows["collapsed"]]
    if rows.empty:
        return []
    meets = meets_push
    target = (f"class transfer of at least {TARGET_TRANSFER:.0%} at an MSE of at most {PUSH_MSE:.3f} without a collapse "
              "(means over seeds)")
    tables = [REGIME_TABLE, LEAKAGE_TABLE, NOISE_TABLE]
    hits = rows[meets(rows)]
    if len(hits):
        return [Claim("probe.push", f"**The frontier, pushed.** {listing([_setting(r) for _, r in hits.iterrows()])} "
                      f"reach{'es' if len(hits) == 1 else ''} {target}.", tuple(tables), hits, meets).check()]
    said = [Claim("probe.push", f"**The frontier, pushed.** No setting of the build reaches {target}.",
                  tuple(tables), rows, lambda r: ~meets(r)).check()]
    within, reaching = rows[rows["mse"] <= PUSH_MSE], rows[rows["transfer_accuracy"] >= TARGET_TRANSFER]
    if len(within):
        best = within.loc[within["transfer_accuracy"].idxmax()]
        said.append(Claim("probe.push_best", f"Among the settings at an MSE of at most {PUSH_MSE:.3f}, the highest "
                          f"class transfer is that of {_setting(best)}.", tuple(tables), within,
                          lambda r: r["transfer_accuracy"] <= best["transfer_accuracy"]).check())
    if len(reaching):
        best = reaching.loc[reaching["mse"].idxmin()]
        said.append(Claim("probe.push_mse", f"Of those that reach {TARGET_TRANSFER:.0%} class transfer, "
                          f"{_setting(best)} reconstructs best.", tuple(tables), reaching,
                          lambda r: r["mse"] >= best["mse"]).check())
    else:
        said.append(Claim("probe.push_transfer", f"No setting reaches {TARGET_TRANSFER:.0%} class transfer at any MSE.",
                          tuple(tables), rows, lambda r: r["transfer_accuracy"] < TARGET_TRANSFER).check())
    return said


def verdicts(leak: Optional[Claim], lord: Optional[Claim]) -> pd.DataFrame:
    """What the summary reads: whether too little noise lets the class into the content code, and LORD's claim."""
    rows = []
    if leak is not None:
        rows.append({"claim": "low_noise_leaks", "holds": leak.statement.startswith("**Too little noise lets"),
                     "value": float("nan"), "sentence": leak.statement})
    if lord is not None:
        rows.append({"claim": "noise_needs_no_adversary", "holds": "as LORD argues" in lord.statement,
                     "value": float("nan"), "sentence": lord.statement})
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
