"""The summary's words (notebook 07): the course report's questions answered from the verdicts the
notebooks saved, the recommended sigma, what the course report got right and wrong, and the
references.

Every verdict here is read from the *_verdicts table of the notebook that decided it (02: the noise,
the decay and the sigma rule; 03: the losses; 04: random vectors; 05: the content probe), never
decided again, so the summary cannot contradict a section. What the summary says about numbers is a
checked claim over the saved tables (``summary_claims``), and every number it quotes is a cell of a
table of the report.
"""
from __future__ import annotations

import re
from typing import Optional

import pandas as pd

from ..claims import Claim
from ..notation import LOSS_NAMES
from ..studies.content_probe import LEARNING
from ..studies.frontier import COLLAPSED_DIVERSITY
from ..studies.noise_study import choose_sigma, sigma_means
from ..studies.summary import probe_means
from .noise import RECOGNISABLE, _compare
from . import probe
from .table1 import REFS, ref

NOISE_TABLE, DECAY_TABLE, LOSS_TABLE = REFS["noise"], REFS["decay"], REFS["losses"]
NOISE_SECTION, SAMPLING_SECTION = REFS["noise_shape"], REFS["sampling_section"]
#: notebook 05's tables the verdicts it saved rest on: its regimes (with their collapsed settings)
#: and its leakage table
REGIMES, LEAKAGE = ref(probe.REGIME_LABEL), ref(probe.LEAKAGE_LABEL)


def _verdict(verdicts: Optional[pd.DataFrame], claim: str) -> Optional[pd.Series]:
    """The row of ``claim`` in a saved verdict table (claim, holds, value, sentence); None when absent."""
    if verdicts is None:
        return None
    rows = verdicts[verdicts["claim"] == claim]
    return None if rows.empty else rows.iloc[0]


def _holds(row: Optional[pd.Series]) -> bool:
    """Whether a saved verdict holds (a CSV may read the flag back as text); False when absent."""
    return row is not None and str(row["holds"]) == "True"


def _without_lead(sentence: str) -> str:
    """A saved sentence without its bold lead ("**Too little noise ...** Without noise, ..." -> "Without noise, ...")."""
    return re.sub(r"^\*\*[^*]+\*\*\s*", "", str(sentence)).strip()


# --- noise too high, too low ------------------------------------------------------------------------

def too_high_sentence(results: dict[str, pd.DataFrame]) -> str:
    """What more noise does under Table 1, as notebook 02 decided it (its shape verdicts)."""
    v = results.get("noise_verdicts")
    control, costs, alike = (_holds(_verdict(v, c)) for c in ("noise_gives_control", "noise_costs_mse",
                                                              "noise_makes_alike"))
    collapse = _verdict(v, "collapse_in_sweep")
    if collapse is None:
        return ""
    parts = [("raises class transfer" if control else "does not raise class transfer beyond the seed spread"),
             ("costs reconstruction (the MSE rises)" if costs else "does not raise the MSE beyond the seed spread"),
             ("makes the reconstructions of a digit more alike (the within-class diversity falls)" if alike else
              "does not make the reconstructions of a digit more alike beyond the seed spread")]
    said = (f"**Noise too high.** Under Table 1, more noise {parts[0]}, {parts[1]} and {parts[2]}, step by step over "
            f"the sweep ({NOISE_TABLE}, {NOISE_SECTION}). ")
    if _holds(collapse):
        said += (f"At the highest $\\sigma$ the classes collapse: the lowest within-class diversity, "
                 f"{float(collapse['value']):.2f}, is below {COLLAPSED_DIVERSITY:g} of the real digits'.")
    else:
        said += (f"Yet no swept $\\sigma$ draws a class as one digit: the within-class diversity stays at or above "
                 f"{COLLAPSED_DIVERSITY:g} of the real digits' (lowest {float(collapse['value']):.2f})")
        learning = learning_collapse(results.get("probe_runs"))
        said += (f"; where the content codes learn, the noise does collapse the classes, from $\\sigma$ = "
                 f"{learning:g} on ({REGIMES})." if learning is not None else ".")
    return said


def learning_collapse(runs: Optional[pd.DataFrame]) -> Optional[float]:
    """The lowest sigma at which notebook 05's regime of codes that learn, without the adversary,
    collapses (mean within-class diversity over seeds below the collapse line); None when none does
    or the table is absent."""
    if runs is None or runs.empty:
        return None
    plain = runs[(runs["regime"] == LEARNING) & (runs["adversary_weight"] == 0)]
    means = plain.groupby("noise_std")["diversity"].mean()
    low = means[means < COLLAPSED_DIVERSITY]
    return None if low.empty else float(low.index.min())


def samples_claim(results: dict[str, pd.DataFrame]) -> Optional[Claim]:
    """The course report's guess that samples stop looking like digits after low-noise training, checked at
    the lowest swept sigma of notebook 02's table (the value notebook 02 saved is the one quoted)."""
    row = _verdict(results.get("noise_verdicts"), "low_noise_samples_digits")
    if row is None:
        return None
    by = probe_means(results["content_probe"])
    rows = by.loc[[by.index.min()]]
    share = float(row["value"])
    still = _holds(row)
    said = (f"The course report guessed that after low-noise training, samples would no longer look like digits: at "
            f"$\\sigma$ = {rows.index[0]:g} the judge reads {share:.1%} of random samples (a learned class code with "
            f"Gaussian content) as the digit asked for ({NOISE_TABLE}), "
            + ("so they still do." if still else "which bears the guess out."))
    return Claim("summary.low_noise_samples", said, (NOISE_TABLE,), rows,
                 lambda r: ((r["sample_agreement"] > RECOGNISABLE) == still)
                 & ((r["sample_agreement"] - share).abs() < 5e-4)).check()


def too_low_sentence(results: dict[str, pd.DataFrame], samples: Optional[Claim]) -> str:
    """Too little noise: whether the content code carries class the generator uses, as notebook 05
    decided it (its sentence, without its lead), and whether samples still look like digits."""
    leak = _verdict(results.get("probe_verdicts"), "low_noise_leaks")
    said = "**Noise too low.** "
    if leak is not None:
        said += f"{_without_lead(leak['sentence']).rstrip('.')} ({LEAKAGE}). "
    return (said + (samples.statement if samples is not None else "")).strip()


# --- the recommended sigma ----------------------------------------------------------------------------

def recommended_claim(results: dict[str, pd.DataFrame], table1_sigma: float) -> Optional[Claim]:
    """The sigma this report recommends: the one notebook 02's rule picked (its saved verdict), with its
    reason, checked at every sigma of notebook 02's table (no sigma within the MSE limit has more
    class transfer), and how Table 1's sigma compares (beyond or within the seed spread)."""
    v = results.get("noise_verdicts")
    rule, tol = _verdict(v, "sigma_rule"), _verdict(v, "sigma_rule_tolerance")
    if rule is None or tol is None:
        return None
    pick, tolerance = float(rule["value"]), float(tol["value"])
    means = sigma_means(results["content_probe"], tolerance)
    chosen = choose_sigma(means, tolerance)
    acc, mse = means.at[pick, "transfer_accuracy"], means.at[pick, "mse"]
    said = (f"**Recommended $\\sigma$: {pick:g}.** It is the value the rule of {NOISE_SECTION} picks from "
            f"{NOISE_TABLE}: its MSE is within {tolerance:.0%} of the lowest, and no $\\sigma$ within that limit has "
            f"more class transfer ({acc:.1%} at an MSE of {mse:.4f}).")
    cmp = {}
    if pick != table1_sigma and table1_sigma in means.index:
        t = means.loc[table1_sigma]
        cmp = {"mse": _compare(mse, t["mse"], means.at[pick, "mse_std"] + t["mse_std"]),
               "transfer_accuracy": _compare(acc, t["transfer_accuracy"],
                                             means.at[pick, "transfer_std"] + t["transfer_std"])}
        mse_words = {"higher": "a higher MSE (beyond the seed spread)", "lower": "a lower MSE (beyond the seed spread)",
                     "within": "an MSE within the seed spread of it"}
        acc_words = {"higher": "more class transfer (beyond the seed spread)",
                     "lower": "less class transfer (beyond the seed spread)",
                     "within": "class transfer within the seed spread of it"}
        said += (f" Table 1's $\\sigma$ = {table1_sigma:g}, kept in this report for comparability with the course, "
                 f"has {mse_words[cmp['mse']]} and {acc_words[cmp['transfer_accuracy']]}: "
                 + ("it buys no class control that the spread can tell apart, at a cost in reconstruction."
                    if cmp == {"mse": "higher", "transfer_accuracy": "within"} else "the two trade as the table shows."))
    elif pick == table1_sigma:
        said += " It is Table 1's value, which the report uses throughout."

    def holds(r: pd.DataFrame) -> pd.Series:
        eligible = r["mse"] <= r["limit"]
        ok = ~(eligible & (r["transfer_accuracy"] > acc)) & ((r.index != pick) | eligible)
        ok &= pd.Series(chosen["sigma"] == pick, index=r.index)
        if cmp:
            t, p = r.loc[table1_sigma], r.loc[pick]
            ok &= (_compare(p["mse"], t["mse"], p["mse_std"] + t["mse_std"]) == cmp["mse"]) and (
                _compare(p["transfer_accuracy"], t["transfer_accuracy"], p["transfer_std"] + t["transfer_std"])
                == cmp["transfer_accuracy"])
        return ok

    return Claim("summary.recommended_sigma", said, (NOISE_TABLE,), means, holds).check()


# --- the course report's claims, one by one -------------------------------------------------------------

def _alike_verdict(v: Optional[pd.DataFrame]) -> Optional[str]:
    alike, collapse = _verdict(v, "noise_makes_alike"), _verdict(v, "collapse_in_sweep")
    if alike is None:
        return None
    if not _holds(alike):
        return (f"*Too much noise makes the digits of a class alike*: not seen here; the within-class diversity does not "
                f"fall beyond the seed spread as $\\sigma$ grows ({NOISE_TABLE}).")
    if _holds(collapse):
        return (f"*Too much noise makes the digits of a class alike*: right; the within-class diversity falls as "
                f"$\\sigma$ grows and the highest $\\sigma$ collapses the classes ({NOISE_TABLE}).")
    return (f"*Too much noise makes the digits of a class alike*: right in degree; the within-class diversity falls "
            f"as $\\sigma$ grows, but no swept $\\sigma$ draws a class as one digit ({NOISE_TABLE}).")


def _decay_verdict(v: Optional[pd.DataFrame]) -> Optional[str]:
    """The decay claim as the noise study (notebook 02) decided it (None without both decay weights)."""
    row = _verdict(v, "decay_small")
    if row is None:
        return None
    share = f"{100 * float(row['value']):.1f}%"
    if _holds(row):
        shrinks = _holds(_verdict(v, "decay_shrinks"))
        return (f"*Content regularisation did not help*: right at this weight; the decay "
                f"{'shrinks the content codes, but' if shrinks else 'does not clearly shrink the content codes, and'} "
                f"moves the MSE and class transfer by at most {share} of what $\\sigma$ does ({DECAY_TABLE}).")
    return (f"*Content regularisation did not help*: wrong at this weight; its effect on the MSE or class transfer "
            f"reaches {share} of what $\\sigma$ does ({DECAY_TABLE}).")


def _loss_verdict(v: Optional[pd.DataFrame]) -> Optional[str]:
    """The loss claims (L1+L2 reconstructs best, L2 blurs) as the loss comparison (notebook 03) decided them."""
    best, blurry, bad = (_verdict(v, c) for c in ("l1+l2_best", "l2_blurs", "degenerate_left_out"))
    if best is None or blurry is None:
        return None
    winner, least = str(best["value"]), str(blurry["value"])
    if _holds(best):
        said = "*L1+L2 reconstructs best*: right; it leads on both MSE and L1 error, beyond the seed spread"
    elif winner == "none":
        said = ("*L1+L2 reconstructs best*: not borne out; no loss leads on both MSE and L1 error (each the "
                "objective of another loss) beyond the seed spread")
    else:
        said = f"*L1+L2 reconstructs best*: wrong; {LOSS_NAMES.get(winner, winner)} leads on both MSE and L1 error"
    said += f" ({LOSS_TABLE}). "
    if _holds(blurry):
        said += "*L2 is too blurry*: right; its reconstructions are the least sharp, beyond the seed spread."
    elif least == "tied":
        said += ("*L2 is too blurry*: not borne out; its reconstructions are among the least sharp, within the "
                 "seed spread of another loss's.")
    else:
        said += (f"*L2 is too blurry*: wrong; {LOSS_NAMES.get(least, least)}'s reconstructions are the least sharp, "
                 "beyond the seed spread of L2's.")
    if _holds(bad):
        said += " A degenerate run is left out."
    return said


def _random_verdict(v: Optional[pd.DataFrame], sampling: Optional[pd.DataFrame]) -> Optional[str]:
    """The claim that random vectors give digit-like images, as the sampling study (notebook 04) decided it
    against the fitted samplers (``sampling``: its table, for the digit they are called)."""
    uneven_row, far_row = _verdict(v, "random_uneven"), _verdict(v, "random_far")
    if uneven_row is None:
        return None
    uneven, far = _holds(uneven_row), _holds(far_row)
    where = f" ({REFS['samplers']}, {SAMPLING_SECTION})"
    if not uneven and not far:
        return ("*Random vectors give digit-like images*: right; they are as close to real digits as the fitted "
                "samplers" + where + ".")
    digit = "" if sampling is None else f", a {int(sampling.set_index('key').loc['random', 'most_judged'])}"
    return ("*Random vectors give digit-like images*: only partly. They intend no digit"
            + (f", the judge calls {float(uneven_row['value']):.1%} of them one digit{digit}" if uneven else "")
            + (", and they are further from real digits than codes drawn from the learned distributions"
               if far else "") + where + ".")


def _samples_verdict(v: Optional[pd.DataFrame]) -> Optional[str]:
    row = _verdict(v, "low_noise_samples_digits")
    if row is None:
        return None
    return ("*After low-noise training samples will not look like digits*: "
            + ("wrong; the judge still reads most of them as the digit asked for" if _holds(row) else
               "right; the judge no longer reads most of them as the digit asked for")
            + f" ({NOISE_TABLE}).")


def course_verdicts(results: dict[str, pd.DataFrame]) -> str:
    """What the course report got right and wrong, claim by claim, each as the notebook that measured it decided."""
    noise = results.get("noise_verdicts")
    lines = [_alike_verdict(noise), _decay_verdict(noise), _loss_verdict(results.get("loss_verdicts")),
             _random_verdict(results.get("sampling_verdicts"), results.get("sampling")), _samples_verdict(noise)]
    probe = results.get("probe_verdicts")
    for claim, words, yes, no in (
            ("low_noise_leaks", "*With too little noise the content code holds the class*",
             "right; without noise the generator takes part of the class from the content code",
             "not seen; without noise the generator takes the class from the class code"),
            ("noise_needs_no_adversary", "*LORD: latent optimisation with noise needs no adversary*",
             "right here; the adversary removes no class that the noise leaves", "wrong here; the adversary still "
             "removes class that the noise leaves")):
        row = _verdict(probe, claim)
        if row is not None:
            lines.append(f"{words}: {yes if _holds(row) else no} ({LEAKAGE}).")
    return "\n".join(f"- {line}" for line in lines if line)


# --- references ------------------------------------------------------------------------------------------

#: the works the report cites by author and year, in alphabetical order
REFERENCES = (
    "Bojanowski, P., Joulin, A., Lopez-Paz, D. and Szlam, A. (2018). Optimizing the latent space of generative "
    "networks. *Proceedings of the 35th International Conference on Machine Learning (ICML)*, PMLR 80, 600–609.",
    "Gabbay, A. and Hoshen, Y. (2020). Demystifying inter-class disentanglement. *International Conference on "
    "Learning Representations (ICLR)*.",
    "Heusel, M., Ramsauer, H., Unterthiner, T., Nessler, B. and Hochreiter, S. (2017). GANs trained by a two "
    "time-scale update rule converge to a local Nash equilibrium. *Advances in Neural Information Processing "
    "Systems 30 (NeurIPS)*.",
    "Huang, X. and Belongie, S. (2017). Arbitrary style transfer in real-time with adaptive instance normalization. "
    "*IEEE International Conference on Computer Vision (ICCV)*, 1501–1510.",
    "Lample, G., Zeghidour, N., Usunier, N., Bordes, A., Denoyer, L. and Ranzato, M. (2017). Fader networks: "
    "manipulating images by sliding attributes. *Advances in Neural Information Processing Systems 30 (NeurIPS)*.",
    "LeCun, Y., Bottou, L., Bengio, Y. and Haffner, P. (1998). Gradient-based learning applied to document "
    "recognition. *Proceedings of the IEEE* 86(11), 2278–2324.",
    "Ledoit, O. and Wolf, M. (2004). A well-conditioned estimator for large-dimensional covariance matrices. "
    "*Journal of Multivariate Analysis* 88(2), 365–411.",
)
#: the heading of the bibliography: unnumbered, after the last numbered section (Conclusions)
REFERENCES_HEADING = "References"


def _latex_italics(text: str) -> str:
    return re.sub(r"\*([^*]+)\*", r"\\emph{\1}", text.replace("&", "\\&"))


def references_markdown() -> str:
    """The bibliography as Markdown (JupyterLab and the HTML edition): a bold, unnumbered heading and a list."""
    return f"**{REFERENCES_HEADING}**\n\n" + "\n".join(f"- {r}" for r in REFERENCES) + "\n"


def references_latex() -> str:
    """The bibliography as LaTeX (the PDF): an unnumbered section listed in the table of contents, and
    one hanging-indented entry per work."""
    items = "\n".join(f"\\item {_latex_italics(r)}" for r in REFERENCES)
    return (f"\\section*{{{REFERENCES_HEADING}}}\n\\addcontentsline{{toc}}{{section}}{{{REFERENCES_HEADING}}}\n"
            "\\begin{list}{}{\\setlength{\\leftmargin}{1.5em}\\setlength{\\itemindent}{-1.5em}"
            "\\setlength{\\itemsep}{0pt}\\setlength{\\parsep}{0pt}}\\footnotesize\n" + items + "\n\\end{list}\n")
