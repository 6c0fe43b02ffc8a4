"""The sampling study's words (notebook 04): the samplers compared in sentences, the paths and the noise
in words, the captions (the inline figure captions included), the thresholds that pick a wording and the
verdicts the summary reads.
"""
from __future__ import annotations

import pandas as pd

from ..core.config import GLOConfig
from ..notation import SAMPLER_NAMES
from ..prose import listing
from ..studies.sampling_study import class_name, crossing_t, fitted_samplers
from ..results import VERDICT_COLUMNS


#: two Frechet distances within 5% of each other count as "about equally close": the prose
#: should not rank samplers on a gap that a new draw of images could reverse
SAME_FRECHET_RATIO = 1.05

#: random vectors whose Frechet distance exceeds the best fitted sampler's by more than 20% are
#: reported as further from real digits (a gap clearly above SAME_FRECHET_RATIO's spread)
FAR_FRECHET_RATIO = 1.2

#: below this within-class diversity (1 = as varied as real digits of the class) the generator
#: "narrows" a digit's variety; the margin below 1 keeps small shortfalls from being called that
NARROW_DIVERSITY = 0.8

#: the judge calling more than this share of random vectors one digit (twice the 10% of an even
#: spread over ten digits) means random vectors do not reach the digits evenly
UNEVEN_SHARE = 0.2

#: when the judge sees the fixed class in fewer than half the frames at the ends of content paths
#: (where the frames are reconstructions of real images), the class code does not decide the digit
ENDS_DECIDED = 0.5

#: a dip of less than 10 percentage points between the ends and the lowest point of content paths
#: means moving through content space hardly changes the digit
DIGIT_KEPT_DIP = 0.1


def setup_sentence(cfg: GLOConfig, judge_accuracy: float, n_real: int) -> str:
    """Which run is used, and how good the judge is on the real held-out digits."""
    return (f"We use the Table 1 run ($\\sigma = {cfg.noise_std:g}$, seed {cfg.seed}). Its judge is right "
            f"about {judge_accuracy:.0%} of the time on the {n_real} real held-out digits it never saw; those "
            f"digits are also the real set every sample below is compared with.")


def table_caption(n_draw: int, n_real: int) -> str:
    """The caption of the samplers' table."""
    return (f"Samplers measured by the judge on {n_draw} generated images each, against "
            f"{n_real} real held-out digits. Agreement: share the judge reads as the intended digit (n/a for random "
            f"vectors, which intend none). Diversity: within-class, relative to real digits. Frechet: distance to "
            f"the real digits in the judge's features. Top digit: the digit the judge calls most often. The real "
            f"training digits are a reference; the Frechet distance of a smaller set carries a larger small-sample bias.")


def closeness_phrase(frechet: pd.Series) -> str:
    """Which fitted sampler (keys of ``frechet``) is closest to real digits, or that they are about equal."""
    best = frechet.idxmin()
    if len(frechet) == 1:
        return f"**{SAMPLER_NAMES[best]}** has a Frechet distance of {frechet[best]:.1f} to real digits"
    if frechet.max() > SAME_FRECHET_RATIO * frechet.min():
        return (f"Among the samplers that use learned class codes, **{SAMPLER_NAMES[best]}** is closest to "
                f"real digits (Frechet distance {frechet[best]:.1f})")
    return ("The samplers that use learned class codes are about equally close to real digits "
            f"(Frechet distances {listing([f'{v:.1f}' for v in frechet])})")


def fitted_sentence(table: pd.DataFrame) -> str:
    """The samplers with learned class codes against the real training digits (``table`` needs them)."""
    fitted, ref = fitted_samplers(table), table.loc["real"]
    agreements = listing([f"{table.loc[s, 'agreement']:.1%} ({SAMPLER_NAMES[s]})" for s in fitted])
    diversities = listing([f"{table.loc[s, 'diversity']:.2f}" for s in fitted])
    verdict = (", so the generator narrows the variety of each digit."
               if table.loc[fitted, "diversity"].max() < NARROW_DIVERSITY
               else ", so most of the variety of each digit is kept.")
    return (f"{closeness_phrase(table.loc[fitted, 'frechet'])}, against {ref.frechet:.1f} for "
            f"the real training digits. The judge sees the intended digit in {agreements} of the images "
            f"(real training digits: {ref.agreement:.1%}). Relative to real digits of the same class, "
            f"the within-class diversity of their digits is {diversities}{verdict}")


def random_gap_phrase(table: pd.DataFrame) -> str:
    """How far random vectors are from real digits next to the best fitted sampler ("" without one)."""
    fitted, r = fitted_samplers(table), table.loc["random"]
    if not fitted:
        return ""
    best_fd, top_diversity = table.loc[fitted, "frechet"].min(), table.loc[fitted, "diversity"].max()
    far = r.frechet > FAR_FRECHET_RATIO * best_fd
    ratio = f"{r.frechet / best_fd:.1f} times" if far else "about"
    ending = (f"; their higher diversity ({r.diversity:.2f} against at most {top_diversity:.2f}) comes "
              "with images further from real digits." if far and r.diversity > top_diversity else ".")
    return f" Their Frechet distance, {r.frechet:.1f}, is {ratio} that of the best fitted sampler{ending}"


def random_sentence(table: pd.DataFrame) -> str:
    """Which digits random vectors reach, and how far from real digits they are."""
    r = table.loc["random"]
    reach = (", so random vectors do not reach every digit equally." if r.most_judged_share > UNEVEN_SHARE
             else ", so they reach the digits roughly evenly.")
    return (f"Random vectors intend no digit. The judge calls {r.most_judged_share:.0%} of their images a "
            f"{class_name(table, r.most_judged)} (an even spread would give 10%){reach}{random_gap_phrase(table)}")


def frechet_sentence(table: pd.DataFrame) -> str:
    """How far the closest sampler is from real digits next to the real training digits, and why
    a large Frechet distance does not mean unrecognisable digits (``table`` needs fitted samplers)."""
    fitted, ref = fitted_samplers(table), table.loc["real"]
    best = table.loc[fitted, "frechet"].min()
    return (f"Even the closest sampler is {best / ref.frechet:.0f} times as far from the real held-out digits, in the "
            f"judge's features, as the real training digits are, although the judge reads most of its images as "
            f"the digit asked for. The distance adds up every difference of style over 64 feature dimensions: "
            f"generated digits are smoother than real ones (their sharpness is below 1 in the loss comparison), "
            f"which the features register long before a digit becomes unrecognisable.")


def transfer_sentence(accuracy: float, n_codes: int) -> str:
    """How often the judge sees the class code's digit in the class-transfer images."""
    return (f"Over all {n_codes} training content codes and all ten class codes, the judge "
            f"recognises the class code's digit in about {accuracy:.0%} of the "
            f"{10 * n_codes} transferred images (chance: 10%).")


def paths_caption(content_path: pd.DataFrame, class_path: pd.DataFrame) -> str:
    """The caption of the path-agreement figure, with the number of paths of each kind."""
    return (f"What the judge sees along interpolation paths. Left: content paths between two images of "
            f"different digits ({int(content_path.paths[0])} paths), class code fixed. Right: class paths "
            f"from class a to class b ({int(class_path.paths[0])} paths), content code fixed.")


def content_path_verdict(agreement: pd.Series) -> str:
    """What the judge's agreement along content paths says about the class and content codes."""
    ends = agreement.iloc[[0, -1]].min()
    if ends < ENDS_DECIDED:
        return "so this model's class code does not decide the digit even at the ends of the paths. "
    if ends - agreement.min() < DIGIT_KEPT_DIP:
        return "so moving through content space changes the style but hardly the digit. "
    return "so the digit is lost somewhere along the path: content codes carry part of the class. "


def paths_sentence(content_path: pd.DataFrame, class_path: pd.DataFrame) -> str:
    """What the judge sees along content paths and along class paths."""
    agreement = content_path.agreement
    cross = crossing_t(class_path)
    switch = (f"moves from class a to class b where the two curves cross, at t = {cross:.2f}" if cross is not None
              else "never moves from class a to class b")
    mid = len(class_path) // 2
    return (f"Along content paths the judge keeps seeing the fixed class in at least {agreement.min():.0%} of "
            f"the frames at every point (the ends: {agreement.iloc[0]:.0%} and {agreement.iloc[-1]:.0%}), "
            f"{content_path_verdict(agreement)}Along class paths the judge's call {switch}; midway, "
            f"{class_path['another digit'][mid]:.0%} of the frames look like neither digit.")


def noise_sentence(noise: pd.DataFrame, spread: float, training_sigma: float) -> str:
    """How often the judge still sees the intended digit as content noise grows (``noise`` starts at 0)."""
    scales = listing([f"{s:g}" for s in noise.noise_scale.iloc[1:]])
    shares = ", ".join(f"{a:.0%}" for a in noise.agreement.iloc[1:])
    return (f"The learned content codes vary by {spread:.2f} per dimension (standard deviation). With content "
            f"noise of standard deviation {scales}, the judge still sees the intended digit in {shares} of "
            f"the training images (without noise: {noise.agreement.iloc[0]:.0%}; the model was trained "
            f"with noise $\\sigma = {training_sigma:g}$).")


SAMPLERS_CAPTION = ("Forty images from each sampler. For the samplers with a learned class code, column k "
                    "holds digits asked to be a k; the course's random vectors are shown in the order drawn.")
JUDGED_CAPTION = ("Which digit the judge sees in each sampler's images. Learned class codes used equally "
                  "often give a flat histogram when the class code is obeyed.")
TRANSFER_CAPTION = ("Class transfer: each row takes the content code of the real training digit in the "
                    "first column and renders it with each of the ten class codes (columns 0 to 9).")
CONTENT_PATHS_CAPTION = ("Content interpolation at a fixed class: each row moves from the content code of "
                         "training image a (first column) to that of image b of another digit (last column), "
                         "in nine steps, with the class code of image a held fixed.")
CLASS_PATHS_CAPTION = ("Class interpolation at a fixed content code: each row keeps the content code of one "
                       "training image and moves from one class code to another.")
NOISE_CAPTION = ("Training images (top) regenerated with their own class code and Gaussian noise of growing "
                 "standard deviation added to their content code.")



def sampling_verdicts(table: pd.DataFrame) -> pd.DataFrame:
    """What this notebook decided about random vectors, as the summary reads it: "random_uneven" (the judge
    calls more than UNEVEN_SHARE of them one digit; value: that share) and "random_far" (their Frechet
    distance exceeds FAR_FRECHET_RATIO times the best fitted sampler's; value: the ratio, NaN without a
    fitted sampler), with the sentence printed here; no row without random vectors."""
    if "random" not in table.index:
        return pd.DataFrame(columns=VERDICT_COLUMNS)
    fitted, r = fitted_samplers(table), table.loc["random"]
    ratio = r.frechet / table.loc[fitted, "frechet"].min() if fitted else float("nan")
    said = random_sentence(table)
    rows = [("random_uneven", bool(r.most_judged_share > UNEVEN_SHARE), r.most_judged_share, said),
            ("random_far", bool(fitted) and bool(ratio > FAR_FRECHET_RATIO), ratio, said)]
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
