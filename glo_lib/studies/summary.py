"""The summary (notebook 06): the build's measures, gathered from the tables the notebooks saved,
and the sentences that answer the course report's two questions (noise too high, too low)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd

from ..core.config import GLOConfig
from ..prose import change
from ..results import load_table
from .content_probe import DIVERSITY_TOL, MSE_TOL, TRANSFER_TOL
from .loss_study import LOSS_NAMES, normal_runs
from .noise_study import DECAY_MEASURES, SMALL_EFFECT, OUTCOMES, decay_differences, decay_effects

#: the sigma the two questions are asked against: Table 1's (or the nearest swept one)
TABLE1_SIGMA = GLOConfig().noise_std

#: judge agreement with the intended class of random samples: moves within one percentage
#: point count as none, like class-transfer accuracy (both are shares of judged images)
AGREEMENT_TOL = 0.01

#: share of random samples the judge must recognise for them to "still look like digits":
#: more than half, so that a recognisable digit is the typical sample, not the exception
RECOGNISABLE = 0.5

#: drop of class-transfer accuracy (lowest sigma against highest, fast content learning rate)
#: that confirms the course report's claim that too little noise costs class control: twice
#: TRANSFER_TOL, because a confirmation should not rest on a move barely beyond "about the same"
CONTROL_LOST = 0.02

#: table name -> (group label, how a row is named from its key value, key column, required)
RESULTS = {
    "content_probe": ("Table 1", "sigma {}", "noise_std", True),
    "content_probe_fast_lr": ("lr x10", "sigma {}", "noise_std", False),
    "content_probe_init": ("other init", "sigma {}", "noise_std", False),
    "noise_study": ("no decay", "sigma {}", "noise_std", False),
    "loss_comparison": ("loss", "{}", "loss", False),
    "sampling": ("sampler", "{}", "key", False),
}

#: measure column -> heading in the summary table
MEASURES = {
    "mse": "MSE", "l1": "L1", "transfer_accuracy": "transfer", "probe_mlp": "leakage",
    "diversity": "diversity", "sample_agreement": "agreement", "frechet": "Frechet",
    "sharpness": "sharpness",
}


def load_results(folder: Optional[Path] = None) -> dict[str, pd.DataFrame]:
    """Every known table saved in the build folder; the required ones must be there."""
    out = {}
    for name, (_, _, _, required) in RESULTS.items():
        table = load_table(name, folder, required=required)
        if table is not None:
            out[name] = table
    return out


def summary_table(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per experiment setting, the mean over seeds of every measure it has.

    The noise study's decay-on runs are the probe sweep's runs, so only its decay-off rows are added.
    """
    rows = []
    for name, df in results.items():
        group, label, key, _ = RESULTS[name]
        if key not in df:
            continue
        if name == "noise_study" and "content_decay" in df:
            df = df[df["content_decay"] == 0]
        for value, part in df.groupby(key, sort=False):
            setting = label.format(f"{value:g}" if isinstance(value, float) else value)
            row = {"experiment": f"{group}, {setting}"}
            for col, heading in MEASURES.items():
                row[heading] = part[col].mean() if col in part else float("nan")
            rows.append(row)
    return pd.DataFrame(rows).dropna(axis=1, how="all")


def probe_means(probe: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of every measure of a probe table, indexed by sigma."""
    return probe.groupby("noise_std").mean(numeric_only=True)


def compared_sigmas(by: pd.DataFrame) -> tuple[float, float, float]:
    """The lowest sigma, the one nearest TABLE1_SIGMA (the lower on a tie) and the highest."""
    mid = min(by.index, key=lambda s: abs(s - TABLE1_SIGMA))
    return by.index.min(), mid, by.index.max()


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


def fast_lr_sentence(probe: pd.DataFrame, fast: pd.DataFrame) -> str:
    """With the fast content learning rate: leakage, and whether too little noise costs class control."""
    lo, _, hi = compared_sigmas(probe_means(probe))
    fb = probe_means(fast)
    lost = fb.loc[lo, "transfer_accuracy"] < fb.loc[hi, "transfer_accuracy"] - CONTROL_LOST
    return (f"When the content codes are allowed to move (content learning rate "
            f"{fast['lr_content'].iloc[0]:g}), the MLP probe reads the digit from them with "
            f"{fb.loc[lo, 'probe_mlp']:.1%} at $\\sigma$ = {lo:g} and {fb.loc[hi, 'probe_mlp']:.1%} at $\\sigma$ = {hi:g}; "
            f"class-transfer accuracy at $\\sigma$ = {lo:g} is {fb.loc[lo, 'transfer_accuracy']:.1%} against "
            f"{fb.loc[hi, 'transfer_accuracy']:.1%} at $\\sigma$ = {hi:g}. "
            + ("Too little noise then costs class control, as the course report argued." if lost else
               "Even then, less noise did not cost class control in this build."))


#: the course report's claims the conclusions check, in the order of the course report
CLAIMS = ("noise too high", "regularisation", "losses", "random vectors", "samples at low noise", "leakage")


def _decay_verdict(rows: pd.DataFrame) -> Optional[str]:
    """The decay claim checked on the noise study's rows (None without both decay weights)."""
    decays = sorted(rows["content_decay"].unique())
    if len(decays) < 2:
        return None
    diff = decay_differences(rows, DECAY_MEASURES, decays[0], decays[-1])
    effects = decay_effects(diff, rows[rows["content_decay"] == decays[-1]], DECAY_MEASURES)
    clear = [m for m in OUTCOMES if effects.at[m, "clear"] > 0.5 * effects.at[m, "n"]]
    small = all(effects.at[m, "ratio"] < SMALL_EFFECT for m in clear)
    if not clear or small:
        return ("*Content regularisation did not help*: right. Next to what $\\sigma$ does, the decay moves "
                "reconstruction and class transfer little (content noise).")
    return ("*Content regularisation did not help*: wrong at this weight; it moves reconstruction or class "
            "transfer on a scale comparable to $\\sigma$ (content noise).")


def _loss_verdict(losses: pd.DataFrame) -> str:
    """The loss claims (L1+L2 reconstructs best, L2 blurs) checked on the normal runs."""
    means = normal_runs(losses).groupby("loss")[["mse", "sharpness"]].mean()
    best, blurriest = means["mse"].idxmin(), means["sharpness"].idxmin()
    said = (f"*L1+L2 reconstructs best*: {'right' if best == 'l1+l2' else 'wrong'}; the lowest MSE is "
            f"{LOSS_NAMES[best]}'s. *L2 is too blurry*: {'right' if blurriest == 'l2' else 'wrong'}; the least "
            f"sharp reconstructions are {LOSS_NAMES[blurriest]}'s.")
    if losses.get("degenerate", pd.Series(dtype=bool)).any():
        said += " A degenerate run is left out (loss comparison)."
    return said


def _random_verdict(sampling: pd.DataFrame) -> Optional[str]:
    """The claim that random vectors give digit-like images, against the fitted samplers."""
    if "random" not in set(sampling["key"]):
        return None
    table = sampling.set_index("key")
    r = table.loc["random"]
    fitted = [k for k in table.index if k not in ("random", "real")]
    uneven = r["most_judged_share"] > 0.2
    far = bool(fitted) and r["frechet"] > 1.2 * table.loc[fitted, "frechet"].min()
    if not uneven and not far:
        return "*Random vectors give digit-like images*: right; they are as close to real digits as the fitted samplers."
    return ("*Random vectors give digit-like images*: only partly. They intend no digit"
            + (f", the judge calls {r['most_judged_share']:.0%} of them one digit ({int(r['most_judged'])})"
               if uneven else "")
            + (", and they are further from real digits than codes drawn from the learned distributions"
               if far else "") + " (sampling).")


#: the MLP probe must read the digit this much better (5 points) at the lowest sigma than at the
#: highest for the content codes to count as holding the class (content_probe.PROBE granularity:
#: one code of a 51-code fold moves a probe by 2 points)
LEAK_MARGIN = 0.05


def _leaks(by: pd.DataFrame, lo: float, hi: float) -> bool:
    """Whether the probe finds clearly more class in the content codes at ``lo`` than at ``hi``."""
    return bool(by.loc[lo, "probe_mlp"] > by.loc[hi, "probe_mlp"] + LEAK_MARGIN)


def course_verdicts(results: dict[str, pd.DataFrame]) -> str:
    """What the course report got right and wrong, claim by claim, from this build's tables."""
    by = probe_means(results["content_probe"])
    lo, mid, hi = compared_sigmas(by)
    lines = []
    alike = by.loc[hi, "diversity"] < by.loc[mid, "diversity"] - DIVERSITY_TOL
    lines.append(f"*Too much noise makes the digits of a class alike*: {'right' if alike else 'not seen here'}; "
                 f"the within-class diversity {'falls' if alike else 'does not fall'} from $\\sigma$ = {mid:g} "
                 f"to {hi:g} (content noise).")
    if "noise_study" in results:
        lines.append(_decay_verdict(results["noise_study"]))
    if "loss_comparison" in results:
        lines.append(_loss_verdict(results["loss_comparison"]))
    if "sampling" in results:
        lines.append(_random_verdict(results["sampling"]))
    recognisable = by.loc[lo, "sample_agreement"] > RECOGNISABLE
    lines.append(f"*After low-noise training samples will not look like digits*: "
                 f"{'wrong' if recognisable else 'right'}; the judge "
                 f"{'still' if recognisable else 'no longer'} reads most samples at $\\sigma$ = {lo:g} as the "
                 f"digit asked for.")
    fast = results.get("content_probe_fast_lr")
    fb = probe_means(fast) if fast is not None else None
    if _leaks(by, lo, hi):
        leak = "right"
    else:
        leak = "not with the Table 1 learning rates, whose content codes hardly move"
        if fb is not None and _leaks(fb, lo, hi):
            leak += "; right once they can move"
        elif fb is not None and _leaks(fb, hi, lo):
            leak += ("; and once they can move, the probe finds more class in them at the highest $\\sigma$ than "
                     "at the lowest, the opposite of the claim")
    lines.append(f"*With too little noise the content code holds the class*: {leak} (content probe).")
    return "\n".join(f"- {line}" for line in lines if line)
