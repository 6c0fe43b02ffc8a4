"""Class leakage into the content codes, read against honest floors, and leakage the generator uses.

``metrics.leakage_probe`` reads the class from the content codes; a reading means little without
what the same probes and folds read from (a) the digit style alone (``style_floor``: MNIST's style
depends on the digit, ones are narrow and zeros wide) and (b) codes whose labels are shuffled
(``permutation_null``: the probes' own noise). The generator only ever sees c + N(0, sigma^2)
(``noisy_code_probe``), and whether it takes the class from the content at all is functional:
misread transfers read as the source's class (``transfer_misreads``) and content drawn with a
class-blind code (``class_blind_calls``). ``style_kept`` asks whether a transferred digit keeps
its source's style, which class-transfer accuracy alone does not (one prototype per class scores 100%).

The judge is anything with ``predict(images) -> class ids``; the model anything with GLOModel's
``classes``, ``content``, ``generate_from_ids`` and ``generate_from_codes``.
"""
from __future__ import annotations

import warnings
from typing import Optional

import numpy as np
import pandas as pd
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .. import store
from ..core.judge import Judge
from ..core.model import GLOModel
from ..core.train import Run
from .metrics import leakage_probe, transfer_images
from .style import ATTRIBUTES, filled, style_attributes

PROBES = ("logreg", "mlp")  # the two probes of leakage_probe that the measures here report


def _probes(result: dict, prefix: str) -> dict[str, float]:
    """The probes' mean and std accuracies of a leakage_probe result, renamed ``prefix_logreg`` etc."""
    return {f"{prefix}_{p}{s}": result[f"{p}{s}"] for p in PROBES for s in ("", "_std")}


# --- floors for the content probe -------------------------------------------------------------

def style_floor(images: torch.Tensor, labels: torch.Tensor, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """What the content probe's logistic regression and MLP, on the same folds, read from the style
    attributes of the digits themselves (standardised inside each fold, as the probe does): the
    accuracy a code holding style and nothing else would reach. ``style_floor_logreg``/``_mlp``
    (and ``_std`` over folds), beside ``chance`` and ``folds``."""
    x = torch.from_numpy(filled(style_attributes(images)))
    result = leakage_probe(x, labels, folds=folds, seed=seed)
    return {**_probes(result, "style_floor"), "chance": result["chance"], "folds": result["folds"]}


def permutation_null(codes: torch.Tensor, labels: torch.Tensor, permutations: int = 3, folds: int = 5,
                     seed: int = 0) -> dict[str, float]:
    """The probes on ``codes`` with the labels shuffled (``permutations`` seeded shuffles, averaged):
    what they read when there is nothing to read, near chance. ``permutation_null_logreg``/``_mlp``
    (mean over shuffles) and ``_std`` (spread over shuffles, of each shuffle's fold mean)."""
    rng = np.random.default_rng(seed)
    y = labels.cpu()
    runs = [leakage_probe(codes, y[torch.from_numpy(rng.permutation(len(y)))], folds=folds, seed=seed)
            for _ in range(permutations)]
    out: dict[str, float] = {}
    for p in PROBES:
        scores = np.array([r[p] for r in runs])
        out[f"permutation_null_{p}"], out[f"permutation_null_{p}_std"] = float(scores.mean()), float(scores.std())
    return {**out, "chance": runs[0]["chance"], "permutations": permutations}


def noisy_code_probe(model: GLOModel, labels: torch.Tensor, sigma: Optional[float] = None, seed: int = 0,
                     folds: int = 5, clean: bool = True) -> dict[str, float]:
    """The probes on the clean codes c (``probe_logreg``/``_mlp``) and on c + N(0, sigma^2), one
    seeded draw, as the generator sees them while training (``noisy_probe_logreg``/``_mlp``);
    ``sigma`` defaults to the model's training noise, and ``clean=False`` leaves out the clean
    probes (``measures.evaluate`` gives them). Noise the code cannot beat hides its class from the
    generator even where the clean code's class can be read."""
    sigma = model.noise_std if sigma is None else sigma
    codes = model.content.detach().cpu().double()
    gen = torch.Generator().manual_seed(seed)
    noisy = codes + sigma * torch.randn(codes.shape, generator=gen, dtype=torch.float64)
    said = _probes(leakage_probe(codes, labels, folds, seed), "probe") if clean else {}
    return {**said, **_probes(leakage_probe(noisy, labels, folds, seed), "noisy_probe"), "sigma": float(sigma)}


# --- how much of the content code is style ----------------------------------------------------

def _oof_linear(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold predictions of ``y`` from ``x`` by a linear map: standardised inputs, ridge with
    its penalty chosen inside each training fold (plain least squares overfits 16-d codes of 40 digits)."""
    est = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    cv = KFold(n_splits=max(2, min(folds, len(x) // 2)), shuffle=True, random_state=seed)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_predict(est, x, y, cv=cv)


def style_r2(codes: torch.Tensor, attributes: pd.DataFrame, folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Cross-validated linear R^2 = 1 - SS_res / SS_tot of each style attribute predicted from the
    content codes (keyed by attribute: how much of that attribute the code holds), their mean
    (``style_r2_mean``), and the other way round, ``code_r2``: the share of the codes' variance the
    attributes explain (R^2 of every code dimension from the attributes, weighted by its variance).
    A code of style has both high; a code of identity or of its random start has ``code_r2`` near 0.
    Out-of-fold R^2 is below 0 where the linear map does worse than the mean."""
    c = codes.detach().cpu().double().numpy()
    a = filled(attributes)
    per = r2_score(a, _oof_linear(c, a, folds, seed), multioutput="raw_values")
    code = r2_score(c, _oof_linear(a, c, folds, seed), multioutput="variance_weighted")
    out = {name: float(v) for name, v in zip(attributes.columns, per)}
    return {**out, "style_r2_mean": float(np.mean(per)), "code_r2": float(code)}


# --- functional leakage: does the generator take the class from the content? ------------------

def transfer_misreads(model: GLOModel, judge: Judge, labels: torch.Tensor,
                      content: Optional[torch.Tensor] = None) -> dict[str, float]:
    """Every content code i drawn with every class code k: of the transfers the judge misreads
    (reads r != k), the share it reads as the source's own class, r = label_i
    (``misread_source_share``: 1 = every failure is the content's class getting through, NaN if
    nothing is misread). ``misread_source_chance`` is that share if the misreads ignored the source:
    the mean over misreads of the share of sources labelled r (a generator that ignores the content
    scores exactly this). Also ``misread_share`` (misreads / transfers) and ``misreads`` (a count)."""
    content = model.content if content is None else content
    k = len(model.classes)
    images, target = transfer_images(model, content, n_classes=k)
    read = judge.predict(images).cpu()
    source = labels.cpu().repeat_interleave(k)  # row i*K + k comes from source i
    wrong = read != target
    base = torch.bincount(labels.cpu(), minlength=k).double() / len(labels)  # share of sources per class
    n = int(wrong.sum())
    nan = float("nan")
    return {"misread_source_share": (read[wrong] == source[wrong]).double().mean().item() if n else nan,
            "misread_source_chance": base[read[wrong]].mean().item() if n else nan,
            "misread_share": n / len(read), "misreads": n}


def class_blind_calls(model: GLOModel, judge: Judge, labels: torch.Tensor,
                      content: Optional[torch.Tensor] = None) -> dict[str, float]:
    """Each content code drawn with a class-blind code, the mean of all class codes: how often the
    judge names the source's class (``class_blind_source``). What it would be if the calls ignored
    the source, ``class_blind_chance`` = sum_r share of calls r * share of sources labelled r
    (0.1 for balanced digits): above it, the content code alone carries the class to the image."""
    content = (model.content if content is None else content).detach()
    blind = model.classes.detach().mean(0, keepdim=True).expand(len(content), -1)
    read = judge.predict(model.eval().generate_from_codes(blind, content)).cpu()
    labels = labels.cpu()
    k = len(model.classes)
    calls = torch.bincount(read, minlength=k).double() / len(read)
    base = torch.bincount(labels, minlength=k).double() / len(labels)
    return {"class_blind_source": (read == labels).double().mean().item(),
            "class_blind_chance": float((calls[:k] * base[:k]).sum())}


# --- style kept through transfer --------------------------------------------------------------

def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of the pairs where both are defined; 0 where either side does not vary
    (a constant output carries nothing of its source) or fewer than 3 pairs are left."""
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if len(a) < 3 or a.std() < 1e-12 or b.std() < 1e-12:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def style_kept(model: GLOModel, images: torch.Tensor, content: Optional[torch.Tensor] = None) -> dict[str, float]:
    """Whether transfers keep their source's style: for each attribute, the correlation over
    sources i between the attribute of source image i and that of i drawn as class k, per target
    class k, averaged over k (keyed by attribute); ``style_kept`` is the mean over attributes.
    1 = every transfer keeps its source's style, about 0 = one prototype per class (however well
    the judge reads it). ``images`` are the sources whose codes are ``content`` (default: the
    model's training images and codes)."""
    content = model.content if content is None else content
    k = len(model.classes)
    source = style_attributes(images)
    transferred, _ = transfer_images(model, content, n_classes=k)
    moved = style_attributes(transferred).to_numpy().reshape(len(source), k, -1)  # source, target, attribute
    out = {name: float(np.mean([_correlation(source[name].to_numpy(), moved[:, t, j]) for t in range(k)]))
           for j, name in enumerate(ATTRIBUTES)}
    return {**out, "style_kept": float(np.mean(list(out.values())))}


# --- one row per run, remembered in the run's folder ------------------------------------------

#: bump when a measure of ``leakage_row`` changes, so remembered rows are not reused
LEAKAGE_VERSION = 2


def code_spread(content: torch.Tensor) -> float:
    """The content codes' spread: the square root of their variance across images, averaged over
    dimensions. sigma / spread says how loud the training noise is against what the codes vary by."""
    return float(content.detach().double().var(dim=0).mean().sqrt())


def leakage_row(run: Run, judge: Judge, seed: int = 0) -> dict[str, float]:
    """The leakage measures of one trained run (see the module doc): the probes on the noisy codes
    (those on the clean codes are ``measures.evaluate``'s), one permutation null, how much of the code is style, the functional leakage
    and the style kept through transfer; beside them the code spread, sigma over it, and the last
    epoch's adversary accuracy (NaN without an adversary)."""
    model, digits = run.model.eval(), run.digits
    attributes = style_attributes(digits.images)
    spread = code_spread(model.content)
    history = run.history
    adversary = (float(history["adversary_accuracy"].iloc[-1])
                 if "adversary_accuracy" in history and run.config.adversary_weight else float("nan"))
    null = permutation_null(model.content, digits.labels, permutations=1, seed=seed)
    r2 = style_r2(model.content, attributes, seed=seed)
    return {**noisy_code_probe(model, digits.labels, seed=seed, clean=False),  # the clean probes: evaluate's
            "permutation_null_logreg": null["permutation_null_logreg"],
            "permutation_null_mlp": null["permutation_null_mlp"],
            "style_r2_mean": r2["style_r2_mean"], "code_r2": r2["code_r2"],
            **transfer_misreads(model, judge, digits.labels), **class_blind_calls(model, judge, digits.labels),
            "style_kept": style_kept(model, digits.images)["style_kept"],
            "code_spread": spread, "sigma_over_spread": run.config.noise_std / spread if spread else float("nan"),
            "adversary_accuracy": adversary}


def cached_leakage(run: Run, judge: Judge) -> dict[str, float]:
    """``leakage_row``, remembered inside the run's cache folder beside its evaluations (a store entry
    ``<run folder>/leakage/<judge key>-v<LEAKAGE_VERSION>/``)."""
    if run.folder is None or not judge.key:
        return leakage_row(run, judge)
    folder = run.folder / "leakage" / f"{judge.key}-v{LEAKAGE_VERSION}"
    identity = {"run": run.name, "judge": judge.key, "leakage_version": LEAKAGE_VERSION}
    row = store.load(folder, "leakage", identity, lambda entry: entry["row.json"])
    if row is None:
        row = leakage_row(run, judge)
        store.save(folder, "leakage", identity, {"row.json": row})
    return row
