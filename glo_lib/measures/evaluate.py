"""Every measure of a run as one row, remembered inside the run's cache folder."""
from __future__ import annotations

from typing import TypedDict

import pandas as pd
from tqdm.auto import tqdm

from .. import store
from ..core.judge import Judge, judge_or_load, judge_test_set
from ..core.train import Run
from .metrics import (class_transfer, content_norm, content_shift, content_variance, diversity, leakage_probe,
                      reconstruction_error, relative_ink, sample_quality)
from .registry import MEASURES
from .sharpness import relative_sharpness

#: bump when a measure or a sampler changes, so remembered evaluations are not reused
#: (5: the row gained sharpness and ink, which the loss comparison used to add itself)
EVAL_VERSION = 5

#: the run's settings every row carries, so that a sweep's rows become a table
SETTINGS = {"noise_std": float, "content_decay": float, "loss": str, "lr_content": float, "generator": str,
            "code_init": str, "class_dim": int, "content_dim": int, "seed": int, "n_samples": int, "epochs": int}
#: the registry's measures of a run (``registry.MEASURES``), in the order of the row
RUN_MEASURES = ("mse", "l1", "sharpness", "ink", "transfer_accuracy", "probe_logreg", "probe_mlp", "probe_majority",
                "chance", "diversity", "sample_agreement", "frechet", "content_norm", "content_var", "content_shift",
                "judge_accuracy")
#: one evaluated run, flat (a sweep's rows become a DataFrame, a cached one is JSON): its settings,
#: its measures in the registry's units, the probes' fold-to-fold spreads, and how it was trained
EvalRow = TypedDict("EvalRow", {**SETTINGS, **{MEASURES[m].name: float for m in RUN_MEASURES},
                                "probe_logreg_std": float, "probe_mlp_std": float,
                                "train_seconds": float, "cached": bool})


def evaluate(run: Run, judge: Judge, n_generated: int = 1000, probe_folds: int = 5, seed: int = 0) -> EvalRow:
    """Every measure of one run as one flat row (sweeps become tables)."""
    cfg, digits, model = run.config, run.digits, run.model.eval()
    recon = run.reconstructions()
    real_test, _ = judge_test_set(digits)
    probe = leakage_probe(model.content, digits.labels, folds=probe_folds, seed=seed)
    transfer = class_transfer(model, judge)
    quality = sample_quality(model, judge, real_test, n=n_generated, seed=seed)
    error = reconstruction_error(recon, digits.images)
    return EvalRow(
        **{name: getattr(cfg, name) for name in SETTINGS},
        mse=error["mse"], l1=error["l1"],
        sharpness=relative_sharpness(recon, digits.images), ink=relative_ink(recon, digits.images),
        transfer_accuracy=transfer["accuracy"],
        probe_logreg=probe["logreg"], probe_logreg_std=probe["logreg_std"],
        probe_mlp=probe["mlp"], probe_mlp_std=probe["mlp_std"],
        probe_majority=probe["majority"], chance=probe["chance"],
        diversity=diversity(recon, digits.labels, digits.images, digits.labels),
        sample_agreement=quality["agreement"], frechet=quality["frechet"],
        content_norm=content_norm(model.content), content_var=content_variance(model.content),
        content_shift=content_shift(run),
        judge_accuracy=judge.accuracy, train_seconds=run.timings["train_seconds"],
        cached=run.cached,
    )


def evaluate_runs(runs, judge_epochs: int = 10, n_generated: int = 1000, progress: bool = True):
    """``evaluate`` every run, one judge per held-out pool (loaded once); a DataFrame, one row per run."""
    judges: dict[str, Judge] = {}
    rows = []
    for run in tqdm(runs, desc="evaluate", disable=not progress):
        key = run.digits.heldout_fingerprint()
        if key not in judges:
            judges[key] = judge_or_load(run.digits, epochs=judge_epochs)
        rows.append(cached_evaluate(run, judges[key], n_generated))
    return pd.DataFrame(rows)


def cached_evaluate(run: Run, judge: Judge, n_generated: int = 1000) -> dict:
    """``evaluate``, remembered inside the run's cache folder (which a retrained run replaces) as a
    store entry ``<run folder>/evals/<judge key>-n<n_generated>-v<EVAL_VERSION>/``; a damaged one
    gets one ``StaleRunWarning`` naming it and why before it is evaluated again."""
    if run.folder is None or not judge.key:
        return evaluate(run, judge, n_generated=n_generated)
    folder = run.folder / "evals" / f"{judge.key}-n{n_generated}-v{EVAL_VERSION}"
    identity = {"run": run.name, "judge": judge.key, "n_generated": n_generated, "eval_version": EVAL_VERSION}
    row = store.load(folder, "evaluation", identity, lambda entry: entry["row.json"])
    if row is None:
        row = evaluate(run, judge, n_generated=n_generated)
        store.save(folder, "evaluation", identity, {"row.json": row})
    return {**row, "cached": run.cached}
