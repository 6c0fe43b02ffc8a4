"""Every measure of a run as one row, remembered inside the run's cache folder."""
from __future__ import annotations

import pandas as pd
from tqdm.auto import tqdm

from .. import store
from ..core.judge import Judge, judge_or_load, judge_test_set
from ..core.train import Run, initial_model
from .metrics import (class_transfer, content_variance, diversity, leakage_probe, reconstruction_error,
                      sample_quality)

#: bump when a measure or a sampler changes, so remembered evaluations are not reused
EVAL_VERSION = 4


def content_shift(run: Run) -> float:
    """How far training moved the content codes: mean |c_final - c_start| / mean |c_start|."""
    _, start = initial_model(run.config, len(run.digits.labels), run.digits.n_classes)
    c0, c1 = start.content.detach(), run.model.content.detach().cpu()
    return ((c1 - c0).norm(dim=1).mean() / c0.norm(dim=1).mean()).item()


def evaluate(run: Run, judge: Judge, n_generated: int = 1000, probe_folds: int = 5, seed: int = 0) -> dict:
    """Every measure of one run as one flat row (sweeps become tables)."""
    cfg, digits, model = run.config, run.digits, run.model.eval()
    recon = run.reconstructions()
    real_test, _ = judge_test_set(digits)
    probe = leakage_probe(model.content, digits.labels, folds=probe_folds, seed=seed)
    transfer = class_transfer(model, judge)
    quality = sample_quality(model, judge, real_test, n=n_generated, seed=seed)
    row = {"noise_std": cfg.noise_std, "content_decay": cfg.content_decay, "loss": cfg.loss,
           "lr_content": cfg.lr_content, "generator": cfg.generator, "code_init": cfg.code_init,
           "class_dim": cfg.class_dim, "content_dim": cfg.content_dim, "seed": cfg.seed, "n_samples": cfg.n_samples, "epochs": cfg.epochs}
    row.update(reconstruction_error(recon, digits.images))
    row.update({
        "transfer_accuracy": transfer["accuracy"],
        "probe_logreg": probe["logreg"], "probe_logreg_std": probe["logreg_std"],
        "probe_mlp": probe["mlp"], "probe_mlp_std": probe["mlp_std"],
        "probe_majority": probe["majority"], "chance": probe["chance"],
        "diversity": diversity(recon, digits.labels, digits.images, digits.labels),
        "sample_agreement": quality["agreement"], "frechet": quality["frechet"],
        "content_norm": model.content.detach().norm(dim=1).mean().item(),
        "content_var": content_variance(model.content),
        "content_shift": content_shift(run),
        "judge_accuracy": judge.accuracy, "train_seconds": run.timings["train_seconds"],
        "cached": run.cached,
    })
    return row


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
