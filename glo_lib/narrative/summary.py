"""The summary's words (notebook 07): the answers to the course report's two questions (noise too high,
too low) and its claims checked one by one, from the tables and verdicts the notebooks saved.

The verdicts notebooks 02, 03 and 04 already decided (the decay, the losses, random vectors) are read
from their *_verdicts tables, never decided again here; the tolerances of a change are the registry's.
"""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..measures.registry import tolerance
from ..notation import LOSS_NAMES
from ..prose import change
from ..studies.summary import compared_sigmas, probe_means


#: judge agreement with the intended class of random samples: moves within one percentage
#: point count as none, like class-transfer accuracy (both are shares of judged images)
AGREEMENT_TOL = tolerance("sample_agreement")
TRANSFER_TOL, MSE_TOL, DIVERSITY_TOL = tolerance("transfer_accuracy"), tolerance("mse"), tolerance("diversity")

#: share of random samples the judge must recognise for them to "still look like digits":
#: more than half, so that a recognisable digit is the typical sample, not the exception
RECOGNISABLE = 0.5

def too_high_sentence(probe: pd.DataFrame) -> str:
    """From the Table 1 sigma to the highest: diversity, MSE and class transfer, and what they mean."""
    by = probe_means(probe)
    _, mid, hi = compared_sigmas(by)
    m, h = by.loc[mid], by.loc[hi]
    collapse = h["diversity"] < m["diversity"] - DIVERSITY_TOL
    control = h["transfer_accuracy"] > m["transfer_accuracy"] + TRANSFER_TOL
    blur = h["mse"] > m["mse"] + MSE_TOL
    return (f"**Noise too high.** From the Table 1 $\\sigma$ ({mid:g}) to the highest one ({hi:g}), the within-class diversity of the "
            f"reconstructions {change(m['diversity'], h['diversity'], '.2f', DIVERSITY_TOL)} "
            f"(1.0 = as varied as the real digits), the reconstruction MSE "
            f"{change(m['mse'], h['mse'], '.4f', MSE_TOL)}, and class-transfer accuracy "
            f"{change(m['transfer_accuracy'], h['transfer_accuracy'], '.1%', TRANSFER_TOL)}. "
            + ("Different images of one digit come out more alike: the generator listens less to the content "
               "code. " if collapse else "More noise did not make the digits of a class come out more alike "
               "in this build. ")
            + ("The class code decides the digit more reliably. " if control else "")
            + ("The price is detail: each image is reproduced less faithfully." if blur else ""))


def samples_verdict(agreement: float, table1_agreement: float) -> str:
    """Whether random samples after low-noise training still look like digits to the judge."""
    if agreement <= RECOGNISABLE:
        return f"the judge recognises the intended digit in only {agreement:.0%} of them, which bears the guess out."
    less = agreement < table1_agreement - AGREEMENT_TOL
    return (f"the judge still recognises the intended digit in {agreement:.0%} of them, so they do"
            + (", though less reliably than at the Table 1 $\\sigma$." if less else "."))


def too_low_sentence(probe: pd.DataFrame) -> str:
    """From the Table 1 sigma down to the lowest: MSE, class transfer, sample agreement and leakage."""
    by = probe_means(probe)
    lo, mid, _ = compared_sigmas(by)
    m, low = by.loc[mid], by.loc[lo]
    return (f"**Noise too low.** From the Table 1 $\\sigma$ ({mid:g}) down to {lo:g}, the reconstruction MSE "
            f"{change(m['mse'], low['mse'], '.4f', MSE_TOL)}, class-transfer accuracy "
            f"{change(m['transfer_accuracy'], low['transfer_accuracy'], '.1%', TRANSFER_TOL)}, and the "
            f"judge's agreement with the intended class of random samples (Gaussian content) "
            f"{change(m['sample_agreement'], low['sample_agreement'], '.0%', AGREEMENT_TOL)}. "
            f"The MLP probe reads the digit from the content codes with {low['probe_mlp']:.1%} accuracy "
            f"at $\\sigma$ = {lo:g} (chance 10%). The course report guessed that after low-noise training, samples "
            f"would no longer look like digits: "
            + samples_verdict(low["sample_agreement"], m["sample_agreement"]))


def _verdict(verdicts: pd.DataFrame, claim: str) -> Optional[pd.Series]:
    """The row of ``claim`` in a saved verdict table (claim, holds, value, sentence); None when absent."""
    rows = verdicts[verdicts["claim"] == claim]
    return None if rows.empty else rows.iloc[0]


def _holds(row: pd.Series) -> bool:
    """Whether a saved verdict holds (a CSV may read the flag back as text)."""
    return str(row["holds"]) == "True"


def _decay_verdict(verdicts: pd.DataFrame) -> Optional[str]:
    """The decay claim as the noise study (notebook 02) decided it (None without both decay weights)."""
    row = _verdict(verdicts, "decay_small")
    if row is None:
        return None
    if _holds(row):
        return ("*Content regularisation did not help*: right. Next to what $\\sigma$ does, the decay moves "
                "reconstruction and class transfer little (content noise).")
    return ("*Content regularisation did not help*: wrong at this weight; it moves reconstruction or class "
            "transfer on a scale comparable to $\\sigma$ (content noise).")


def _loss_verdict(verdicts: pd.DataFrame) -> str:
    """The loss claims (L1+L2 reconstructs best, L2 blurs) as the loss comparison (notebook 03) decided them."""
    best, blurry, bad = (_verdict(verdicts, c) for c in ("l1+l2_best", "l2_blurs", "degenerate_left_out"))
    said = (f"*L1+L2 reconstructs best*: {'right' if _holds(best) else 'wrong'}; the lowest MSE is "
            f"{LOSS_NAMES[best['value']]}'s. *L2 is too blurry*: {'right' if _holds(blurry) else 'wrong'}; the least "
            f"sharp reconstructions are {LOSS_NAMES[blurry['value']]}'s.")
    if bad is not None and _holds(bad):
        said += " A degenerate run is left out (loss comparison)."
    return said


def _random_verdict(verdicts: pd.DataFrame, sampling: Optional[pd.DataFrame]) -> Optional[str]:
    """The claim that random vectors give digit-like images, as the sampling study (notebook 04) decided it
    against the fitted samplers (``sampling``: its table, for the digit they are called)."""
    uneven_row, far_row = _verdict(verdicts, "random_uneven"), _verdict(verdicts, "random_far")
    if uneven_row is None:
        return None
    uneven, far = _holds(uneven_row), far_row is not None and _holds(far_row)
    if not uneven and not far:
        return "*Random vectors give digit-like images*: right; they are as close to real digits as the fitted samplers."
    digit = "" if sampling is None else f" ({int(sampling.set_index('key').loc['random', 'most_judged'])})"
    return ("*Random vectors give digit-like images*: only partly. They intend no digit"
            + (f", the judge calls {float(uneven_row['value']):.0%} of them one digit{digit}" if uneven else "")
            + (", and they are further from real digits than codes drawn from the learned distributions"
               if far else "") + " (sampling).")


def course_verdicts(results: dict[str, pd.DataFrame]) -> str:
    """What the course report got right and wrong, claim by claim, from this build's tables."""
    by = probe_means(results["content_probe"])
    lo, mid, hi = compared_sigmas(by)
    lines = []
    alike = by.loc[hi, "diversity"] < by.loc[mid, "diversity"] - DIVERSITY_TOL
    lines.append(f"*Too much noise makes the digits of a class alike*: {'right' if alike else 'not seen here'}; "
                 f"the within-class diversity {'falls' if alike else 'does not fall'} from $\\sigma$ = {mid:g} "
                 f"to {hi:g} (content noise).")
    if "noise_verdicts" in results:
        lines.append(_decay_verdict(results["noise_verdicts"]))
    if "loss_verdicts" in results:
        lines.append(_loss_verdict(results["loss_verdicts"]))
    if "sampling_verdicts" in results:
        lines.append(_random_verdict(results["sampling_verdicts"], results.get("sampling")))
    recognisable = by.loc[lo, "sample_agreement"] > RECOGNISABLE
    lines.append(f"*After low-noise training samples will not look like digits*: "
                 f"{'wrong' if recognisable else 'right'}; the judge "
                 f"{'still' if recognisable else 'no longer'} reads most samples at $\\sigma$ = {lo:g} as the "
                 f"digit asked for.")
    probe = results.get("probe_verdicts")
    for claim, words in (("low_noise_leaks", "*With too little noise the content code holds the class*"),
                         ("noise_needs_no_adversary", "*LORD: latent optimisation with noise needs no adversary*")):
        row = _verdict(probe, claim) if probe is not None else None
        if row is not None:
            lines.append(f"{words}: {'right' if _holds(row) else 'wrong'} here (the adversarial content probe).")
    return "\n".join(f"- {line}" for line in lines if line)
