"""The sampling study (notebook 04): samplers side by side, measured with the shared measures.

For every sampler: judge agreement with the intended class (none for the course's random
vectors), within-class diversity relative to real digits, and the Frechet distance to real
held-out digits in the judge's feature space. Real training digits give a reference row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pandas as pd
import torch

from ..checks import check_int, check_list, check_names
from ..core.config import GLOConfig
from ..core.data import DIGIT_NAMES, ByClass, Digits, class_names_of
from ..core.judge import Judge
from ..core.model import GLOModel
from ..measures.interpolation import class_interpolation, content_interpolation, transfer_grid
from ..measures.metrics import diversity, frechet_distance, judge_agreement
from ..measures.sampling import SAMPLER_NAMES, SAMPLERS, sample
from ..prose import listing
from ..seeding import seeded_generator

REFERENCE = "real training digits"

#: fewest images a sampler may draw: the Frechet distance fits a covariance in the judge's 64
#: feature dimensions, which needs well over 64 images to be more than noise
MIN_GENERATED = 100
#: smoke runs draw at most this many images per sampler and follow this many interpolation paths
SMOKE_DRAWS, SMOKE_PATHS = 200, 40
#: interpolation paths of a full run: a share at a point t then has a standard error of at most
#: 3.5 percentage points (sqrt(0.25 / 200))
PATHS = 200
#: frames per interpolation path, both ends included
PATH_STEPS = 9
#: a class path starts at an image's own class and ends this many digits further round (mod 10),
#: so its two ends always differ
CLASS_STEP = 5
#: content-noise standard deviations of the static explorer figure: none, then up to about twice
#: the spread of the learned content codes (about 1 per dimension)
NOISE_SCALES = (0.0, 0.5, 1.0, 2.0)

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


@dataclass
class Drawn:
    """The images one sampler drew, the class each was meant to show (or None) and the judge's call."""

    images: torch.Tensor
    intended: Optional[torch.Tensor]
    judged: torch.Tensor


def _row(name: str, judge: Judge, images: torch.Tensor, intended: Optional[torch.Tensor],
         real: torch.Tensor, real_labels: torch.Tensor, real_features: torch.Tensor) -> tuple[dict, torch.Tensor]:
    judged = judge.predict(images)
    counts = torch.bincount(judged, minlength=10)
    top = int(counts.argmax())
    row = {
        "sampler": name,
        "images": len(images),
        "agreement": judge_agreement(judge, images, intended) if intended is not None else float("nan"),
        # without an intended class, the judge's call groups the images into classes
        "diversity": diversity(images, intended if intended is not None else judged, real, real_labels),
        "frechet": frechet_distance(judge.features(images), real_features),
        "most_judged": top,
        "most_judged_share": counts[top].item() / len(images),
    }
    return row, judged


def compare_samplers(model: GLOModel, judge: Judge, train_labels: torch.Tensor, real: torch.Tensor,
                     real_labels: torch.Tensor, n: int = 1000, samplers: Sequence[str] = SAMPLERS,
                     seed: int = 0, train_images: Optional[torch.Tensor] = None
                     ) -> tuple[pd.DataFrame, dict[str, Drawn]]:
    """One row per sampler (plus the real training digits when given) and the images drawn.

    ``real``/``real_labels``: real digits the judge never trained on (``judge_test_set``).
    """
    samplers = check_names("samplers", samplers, SAMPLERS)
    real_features = judge.features(real)
    rows, drawn = [], {}
    for name in samplers:
        images, intended = sample(model, n, name, seed, labels=train_labels)
        row, judged = _row(SAMPLER_NAMES[name], judge, images, intended, real, real_labels, real_features)
        rows.append({"key": name, **row})
        drawn[name] = Drawn(images, intended, judged)
    if train_images is not None:
        row, _ = _row(REFERENCE, judge, train_images.cpu(), train_labels.cpu(), real, real_labels, real_features)
        rows.append({"key": "real", **row})
    table = pd.DataFrame(rows).set_index("key")
    table.attrs["class_names"] = class_names_of(model)  # what display_table and the sentences call a class
    return table, drawn


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """``compare_samplers``' table as the report prints it: percentages, "n/a" where no class was intended."""
    def pct(x: float) -> str:
        return "n/a" if x != x else f"{x:.1%}"

    return pd.DataFrame({
        "sampler": [SHORT_NAMES.get(k, name) for k, name in zip(table.index, table["sampler"])],
        "images": table["images"],
        "agreement": table["agreement"].map(pct),
        "diversity": table["diversity"].map(lambda x: f"{x:.2f}"),
        "Frechet": table["frechet"].map(lambda x: f"{x:.1f}"),
        f"top {_noun(table)} (share)": [f"{_name(table, k)} ({pct(s)})"
                                        for k, s in zip(table["most_judged"], table["most_judged_share"])],
    }).set_index("sampler")


def _name(table: pd.DataFrame, k: float) -> str:
    """What ``compare_samplers``' table calls class ``k`` (the digit itself when no names came with it)."""
    return table.attrs.get("class_names", DIGIT_NAMES)[int(k)]


def _noun(table: pd.DataFrame) -> str:
    return "digit" if tuple(table.attrs.get("class_names", DIGIT_NAMES)) == DIGIT_NAMES else "class"


#: the samplers' names in the table, short enough for its first column
SHORT_NAMES = {"random": "random vectors", "gaussian": "class + Gaussian", "per_class": "class + per-class",
               "real": "real training digits"}


def noisy_generations(model, ids: torch.Tensor, labels: torch.Tensor, noise_scale: float,
                      seed: int = 0) -> torch.Tensor:
    """Training images ``ids`` regenerated with their own class and content code plus noise."""
    gen = seeded_generator(seed, "noisy-generations")
    ids = torch.as_tensor(ids).cpu()
    content = model.content.detach().cpu()[ids]
    noisy = content + noise_scale * torch.randn(content.shape, generator=gen)
    return model.eval().generate_from_ids(labels.cpu()[ids], noisy).cpu()


def noise_agreement(model, judge: Judge, labels: torch.Tensor, scales: Sequence[float],
                    seed: int = 0) -> pd.DataFrame:
    """For each content-noise scale: every training image's content code plus noise, its own class.

    ``agreement``: share the judge still calls the intended digit; ``pixel_change``: mean
    absolute pixel difference from the noise-free image (how much the noise changes the picture).
    """
    labels = labels.cpu()
    ids = torch.arange(len(labels))
    clean = noisy_generations(model, ids, labels, 0.0)
    rows = []
    for s in scales:
        images = noisy_generations(model, ids, labels, float(s), seed)
        rows.append({"noise_scale": float(s),
                     "agreement": (judge.predict(images) == labels).float().mean().item(),
                     "pixel_change": (images - clean).abs().mean().item()})
    return pd.DataFrame(rows)


def check_study(samplers: Sequence[str], explorer_sigmas: Sequence[float], n_generated: int,
                judge_epochs: int) -> tuple[list[str], list[float]]:
    """Fail early, naming the parameter; returns the samplers and the explorer's sigmas as lists."""
    samplers = check_names("samplers", samplers, SAMPLERS)
    sigmas = check_list("explorer_sigmas", explorer_sigmas, minimum=0.0, allow_empty=True)
    check_int("n_generated", n_generated, MIN_GENERATED)
    check_int("judge_epochs", judge_epochs, 1)
    return samplers, sigmas


def study_sizes(n_generated: int, judge_epochs: int, smoke: bool) -> tuple[int, int, int]:
    """Images per sampler, interpolation paths and judge epochs: smoke runs take seconds."""
    if smoke:
        return min(n_generated, SMOKE_DRAWS), SMOKE_PATHS, 1
    return n_generated, PATHS, judge_epochs


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """``compare_samplers``' table as the summary section reads it (agreement named for samples)."""
    return table.rename(columns={"agreement": "sample_agreement"})


def fitted_samplers(table: pd.DataFrame) -> list[str]:
    """The samplers of ``table`` that use learned class codes (not random vectors, not the real digits)."""
    return [k for k in table.index if k not in ("random", "real")]


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
            f"{_name(table, r.most_judged)} (an even spread would give 10%){reach}{random_gap_phrase(table)}")


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


def transfer_rows(model: GLOModel, digits: Digits, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per training image ``ids[i]``: the real image, then its content code as each class, named
    as ``digits`` names them."""
    grid = transfer_grid(model, ids).view(len(ids), 10, *digits.images.shape[1:])
    return ByClass({f"image {int(i)} (a {digits.class_name(digits.labels[i])})": torch.cat([digits.images[i][None], grid[r]])
                    for r, i in enumerate(ids)}, digits.class_names)


def transfer_sentence(accuracy: float, n_codes: int) -> str:
    """How often the judge sees the class code's digit in the class-transfer images."""
    return (f"Over all {n_codes} training content codes and all ten class codes, the judge "
            f"recognises the class code's digit in about {accuracy:.0%} of the "
            f"{10 * n_codes} transferred images (chance: 10%).")


def content_path_rows(model: GLOModel, digits: Digits, pairs: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per pair (a, b): image a, the content path from a to b at a's class, image b."""
    rows = {}
    for a, b in pairs.tolist():
        label = int(digits.labels[a])
        path = content_interpolation(model, a, b, label, steps=PATH_STEPS)
        rows[f"class {label}: image {a} to {b}"] = torch.cat([digits.images[a][None], path, digits.images[b][None]])
    return rows


def class_path_rows(model: GLOModel, labels: torch.Tensor, ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """Per training image: its content code moving from its own class code (t = 0 is its
    reconstruction) to the class CLASS_STEP digits further on."""
    rows = {}
    for i in ids.tolist():
        a = int(labels[i])
        b = (a + CLASS_STEP) % 10
        rows[f"image {i}: {a} to {b}"] = class_interpolation(model, model.content[i], a, b, steps=PATH_STEPS)
    return rows


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


def crossing_t(class_path: pd.DataFrame) -> Optional[float]:
    """Where the share of frames called class b first overtakes class a, interpolated linearly between the
    measured points as the figure draws them (None when it never does)."""
    t, gap = class_path.t.to_numpy(), (class_path["class b"] - class_path["class a"]).to_numpy()
    for i in range(1, len(t)):
        if gap[i] > 0 >= gap[i - 1]:
            return float(t[i - 1] + (t[i] - t[i - 1]) * -gap[i - 1] / (gap[i] - gap[i - 1]))
    return 0.0 if len(t) and gap[0] > 0 else None


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


def noisy_rows(model: GLOModel, digits: Digits, ids: torch.Tensor, scales: Sequence[float],
               seed: int = 0) -> dict[str, torch.Tensor]:
    """The real training images ``ids``, then their regenerations at each content-noise scale."""
    rows = {"real": digits.images[ids]}
    rows.update({f"noise {s:g}": noisy_generations(model, ids, digits.labels, s, seed) for s in scales})
    return rows


def content_spread(model: GLOModel) -> float:
    """Mean over dimensions of the standard deviation of the learned content codes."""
    return model.content.detach().std(0).mean().item()


def noise_sentence(noise: pd.DataFrame, spread: float, training_sigma: float) -> str:
    """How often the judge still sees the intended digit as content noise grows (``noise`` starts at 0)."""
    scales = listing([f"{s:g}" for s in noise.noise_scale.iloc[1:]])
    shares = ", ".join(f"{a:.0%}" for a in noise.agreement.iloc[1:])
    return (f"The learned content codes vary by {spread:.2f} per dimension (standard deviation). With content "
            f"noise of standard deviation {scales}, the judge still sees the intended digit in {shares} of "
            f"the training images (without noise: {noise.agreement.iloc[0]:.0%}; the model was trained "
            f"with noise $\\sigma = {training_sigma:g}$).")
