"""Every measure the report prints, declared once: its name, the function that computes it, how
the report labels and formats it, which way is better, and how close two values must be to count
as the same (as torchmetrics' ``Metric`` classes or scikit-learn's scorer registry do).

Tables take their headings and cells from here (``heading``, ``fmt``, ``fmt_mean_std``) and
sentences their tolerances (``tolerance``, ``same``), so a measure is printed alike everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

from ..core.judge import train_judge
from . import encoded, leakage, metrics, samples, sharpness

#: which way a measure is better: lower, higher, "one" (closest to 1: a ratio to the real
#: digits, where more and less are both further from MNIST) or None (neither: a description)
BETTER = ("lower", "higher", "one", None)

#: "the same" for a share: one percentage point. Each tolerance is about the last printed digit
#: that still matters on the measure's scale, so that a move this small is not read as an effect
#: (the content probe's and the encoders' "stays at about", the summary's sample agreement)
ONE_POINT = 0.01


@dataclass(frozen=True)
class Measure:
    """One measure: what it is called, computed by, printed as, and when two values are the same."""

    name: str  # its column in evaluate's row and in every saved table
    label: str  # how a table heads it (LaTeX-safe text, before the unit): "class transfer"
    words: str  # how a sentence or an axis names it: "class-transfer accuracy"
    meaning: str  # one line: what it measures
    function: Optional[Callable]  # the function that computes it (some give several measures in a dict)
    fmt: str  # format spec of a printed value, after scaling: ".4f"
    unit: str = ""  # "%" for shares printed in percent, "" otherwise
    scale: int = 1  # printed value = value * scale (100 for shares printed in percent)
    better: Optional[str] = None  # one of BETTER
    tolerance: Optional[float] = None  # absolute, in the measure's own units (before scaling): values
    # this close are "the same"; None where no sentence compares two values of it

    def __post_init__(self) -> None:
        if self.better not in BETTER:
            raise ValueError(f"measure {self.name!r}: better must be one of {BETTER}, got {self.better!r}")
        if (self.unit == "%") != (self.scale == 100):
            raise ValueError(f"measure {self.name!r}: a share printed in percent has unit '%' and scale 100, "
                             f"got unit {self.unit!r} and scale {self.scale}")
        format(0.0, self.fmt)  # a bad spec fails here, not in the middle of a table


def _share(name: str, label: str, words: str, meaning: str, function: Optional[Callable], better: Optional[str],
           tolerance: Optional[float] = ONE_POINT, fmt: str = ".1f") -> Measure:
    """A share in [0, 1], printed in percent."""
    return Measure(name, label, words, meaning, function, fmt, "%", 100, better, tolerance)


_ALL = (
    # reconstruction of the training digits (noise-free)
    Measure("mse", "MSE", "reconstruction MSE", "per-pixel mean squared error, mean (x - y)^2",
            metrics.reconstruction_error, ".4f", better="lower",
            tolerance=0.0005),  # five in the last printed digit (".4f") of a per-pixel MSE
    Measure("l1", "L1", "L1 error", "per-pixel mean absolute error, mean |x - y|",
            metrics.reconstruction_error, ".4f", better="lower"),
    Measure("sharpness", "sharpness", "sharpness",
            "variance of the Laplacian relative to the real digits (1 = as crisp as MNIST)",
            sharpness.relative_sharpness, ".4f", better="one"),
    _share("ink", "ink", "ink", "mean brightness relative to the real digits (1 = as much ink)",
           metrics.relative_ink, "one", tolerance=None, fmt=".0f"),
    Measure("diversity", "diversity", "within-class diversity",
            "mean pairwise distance within a class relative to the real digits' (1 = as varied)",
            metrics.diversity, ".2f", better="one",
            tolerance=0.02),  # two hundredths of the real digits' diversity (printed ".2f")
    # class control and leakage
    _share("transfer_accuracy", "class transfer", "class-transfer accuracy",
           "share of every content code drawn with every class code that the judge reads as that class",
           metrics.class_transfer, "higher"),
    _share("classifier_accuracy", "classifier", "class encoder's accuracy",
           "share of digits the class encoder names right (the class whose code is nearest)",
           encoded.classifier_accuracy, "higher"),
    _share("probe_logreg", "logistic probe", "probe accuracy (logistic)",
           "cross-validated accuracy of a logistic regression reading the class from the content codes",
           metrics.leakage_probe, "lower"),
    _share("probe_mlp", "MLP probe", "probe accuracy (MLP)",
           "cross-validated accuracy of a small MLP reading the class from the content codes",
           metrics.leakage_probe, "lower"),
    _share("probe_majority", "majority baseline", "majority-class baseline",
           "accuracy of always naming the most frequent class (the probes' floor)",
           metrics.leakage_probe, None, tolerance=None),
    _share("chance", "chance", "chance", "1 / number of classes", metrics.leakage_probe, None,
           tolerance=None, fmt=".0f"),
    _share("judge_accuracy", "judge", "judge accuracy",
           "the judge's accuracy on real held-out digits it never trained on (the ceiling of class transfer)",
           train_judge, "higher", tolerance=None),
    _share("noisy_probe_mlp", "noisy probe", "probe accuracy on the noisy codes (MLP)",
           "the MLP probe on c + N(0, sigma^2), the codes as the generator sees them in training",
           leakage.noisy_code_probe, "lower"),
    _share("noisy_probe_logreg", "logistic probe, noisy", "probe accuracy on the noisy codes (logistic)",
           "the logistic probe on c + N(0, sigma^2)", leakage.noisy_code_probe, "lower"),
    _share("permutation_null_mlp", "null", "permutation null (MLP)",
           "the MLP probe on the content codes with the labels shuffled: what it reads from nothing",
           leakage.permutation_null, None),
    _share("style_floor_mlp", "style floor", "style floor (MLP)",
           "the MLP probe on the style attributes of the real digits: what a code of style alone gives away",
           leakage.style_floor, None),
    _share("style_floor_logreg", "style floor, logistic", "style floor (logistic)",
           "the logistic probe on the style attributes of the real digits", leakage.style_floor, None),
    Measure("style_r2_mean", "style $R^2$", "style R^2",
            "cross-validated linear R^2 of the style attributes from the content codes, mean over attributes",
            leakage.style_r2, ".2f", tolerance=0.02),
    Measure("code_r2", "code $R^2$", "code R^2",
            "share of the content codes' variance the style attributes explain (cross-validated linear R^2)",
            leakage.style_r2, ".2f", tolerance=0.02),
    _share("misread_source_share", "as source", "misreads read as the source's class",
           "of the transfers the judge misreads, the share it reads as the content's own class",
           leakage.transfer_misreads, "lower"),
    _share("misread_source_chance", "misread chance", "misreads' chance share",
           "that share if misreads ignored the source", leakage.transfer_misreads, None, tolerance=None),
    _share("class_blind_source", "class-blind", "class-blind source reading",
           "share of content codes drawn with the mean class code that the judge reads as their own digit",
           leakage.class_blind_calls, "lower"),
    _share("class_blind_chance", "class-blind chance", "class-blind chance",
           "that share if the calls ignored the source (0.1 for balanced digits)", leakage.class_blind_calls, None,
           tolerance=None),
    Measure("style_kept", "style kept", "style kept",
            "correlation of each style attribute between a source digit and its transfers, mean over attributes "
            "and target classes (1 = every transfer keeps its source's style, 0 = one prototype per class)",
            leakage.style_kept, ".2f", better="higher", tolerance=0.02),
    Measure("code_spread", "code spread", "content-code spread",
            "square root of the content codes' variance across images, mean over dimensions",
            leakage.code_spread, ".2f"),
    Measure("sigma_over_spread", "sigma/spread", "sigma over the code spread",
            "the training noise relative to how much the content codes vary", leakage.leakage_row, ".2f"),
    _share("adversary_accuracy", "adversary", "adversary accuracy",
           "the adversary's accuracy on the content codes in the last epoch (training-time, not a probe)",
           leakage.leakage_row, None, tolerance=None),
    # generated images
    _share("sample_agreement", "agreement", "sample agreement",
           "share of Gaussian-content samples the judge reads as the class they were drawn for",
           metrics.sample_quality, "higher"),
    _share("agreement", "agreement", "judge agreement",
           "share of a set of generated images the judge reads as their intended class",
           metrics.judge_agreement, "higher"),
    Measure("frechet", "Frechet", "Frechet distance",
            "Frechet distance to real held-out digits in the judge's features (FID-like)",
            metrics.frechet_distance, ".1f", better="lower"),
    _share("most_judged_share", "top share", "share of the most frequent call",
           "share of images the judge calls its most frequent class (0.1 = an even spread)",
           samples.most_judged, None, tolerance=None),
    Measure("pixel_change", "pixel change", "pixel change",
            "mean absolute pixel difference from the noise-free image", samples.noise_agreement, ".3f"),
    # the content codes
    Measure("content_norm", "code norm", "content-code norm", "mean Euclidean length of the content codes",
            metrics.content_norm, ".2f"),
    Measure("content_var", "code variance", "content-code variance",
            "variance of the content codes across images, averaged over dimensions", metrics.content_variance, ".3f"),
    _share("content_shift", "travel", "content-code travel",
           "mean distance a content code moved from its start, relative to its starting length",
           metrics.content_shift, None, tolerance=None, fmt=".0f"),
)

#: every measure by name
MEASURES: dict[str, Measure] = {m.name: m for m in _ALL}


def measure(name: str) -> Measure:
    """The measure called ``name`` (a KeyError naming those that exist otherwise)."""
    try:
        return MEASURES[name]
    except KeyError:
        raise KeyError(f"no measure named {name!r}; the registry has {', '.join(MEASURES)}") from None


def fmt(name: str, value: float, unit: bool = False, spec: Optional[str] = None,
        missing: Optional[str] = None) -> str:
    """``value`` as the report prints it: scaled and formatted ("0.0109", "89.8"), followed by the
    unit with ``unit`` ("89.8%"). ``missing`` stands for NaN; ``spec`` replaces the format."""
    m = measure(name)
    if missing is not None and math.isnan(value):
        return missing
    return minus(f"{value * m.scale:{spec or m.fmt}}") + (m.unit if unit else "")


def fmt_mean_std(name: str, mean: float, std: Optional[float] = None, sign: bool = False,
                 spec: Optional[str] = None) -> str:
    """"mean ± std", both scaled and formatted as ``fmt``; the mean alone when ``std`` is None or
    NaN (a single seed). ``sign`` prints a leading "+" on a positive mean (a difference)."""
    m = measure(name)
    f = spec or m.fmt
    text = minus(f"{mean * m.scale:{'+' if sign else ''}{f}}")
    return text if std is None or math.isnan(std) else f"{text} ± {minus(f'{std * m.scale:{f}}')}"


#: the minus sign of a printed number: U+2212, not the hyphen Python's format writes
MINUS = "\u2212"


def minus(number: str) -> str:
    """A number printed by ``format`` with a true minus sign ("−0.01", "1e−05") for the hyphen."""
    return number.replace("-", MINUS)


def heading(name: str, change: bool = False) -> str:
    """The table heading of a measure: its label and unit ("class transfer (%)", "MSE"); of a
    difference with ``change``, shares in percentage points ("class transfer (points)")."""
    m = measure(name)
    unit = "points" if change and m.unit == "%" else m.unit
    return f"{m.label} ({unit})" if unit else m.label


def tolerance(name: str) -> float:
    """The absolute difference within which two values of the measure are "the same"."""
    m = measure(name)
    if m.tolerance is None:
        raise ValueError(f"measure {name!r} has no tolerance: no sentence compares two of its values yet")
    return m.tolerance


def same(name: str, a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` are the same value of the measure (within its tolerance)."""
    return abs(b - a) <= tolerance(name)
