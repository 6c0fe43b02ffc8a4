"""The run cache: reuse a trained run only when config, data and library version match.

A run lives in ``<cache>/<run name>/`` as ``config.json`` (config, data identity,
version, timings), ``history.csv`` and ``model.pt`` (state dicts only, loaded with
``weights_only=True``). Folders are written under a temporary name and renamed into
place, so a crash never leaves a half-written run where a good one is expected.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Optional

import pandas as pd
import torch

from .. import atomic
from ..paths import cache_dir
from ..version import __version__
from .config import GLOConfig, pick_device
from .data import Digits, load_digits
from .model import GLOModel
from .train import Run, train


def save_run(run: Run, root: Optional[Path] = None) -> Path:
    """Write ``run`` atomically under ``root``; returns its folder."""
    final = Path(root or cache_dir()) / "runs" / run.name
    with atomic.folder(final) as tmp:
        meta = {"config": run.config.to_dict(), "data_fingerprint": run.data_fingerprint,
                "version": run.version, "timings": run.timings,
                "snapshot_epochs": sorted(run.snapshots)}
        (tmp / "config.json").write_text(json.dumps(meta, indent=2))
        run.history.to_csv(tmp / "history.csv", index=False)
        torch.save({"model": {k: v.cpu() for k, v in run.model.state_dict().items()},
                    "snapshots": {str(k): v for k, v in run.snapshots.items()}}, tmp / "model.pt")
    run.folder = final
    return final


def load_run(cfg: GLOConfig, digits: Digits, root: Optional[Path] = None,
             snapshot_epochs: Iterable[int] = ()) -> Optional[Run]:
    """The cached run of ``cfg`` on ``digits``, or None when absent, stale or unreadable."""
    folder = Path(root or cache_dir()) / "runs" / cfg.run_name()
    try:
        meta = json.loads((folder / "config.json").read_text())
        stored = {k: v for k, v in meta["config"].items() if k != "device"}
        if (stored != _comparable(cfg) or meta["version"] != __version__
                or meta["data_fingerprint"] != digits.fingerprint()
                or not set(snapshot_epochs) <= set(meta["snapshot_epochs"])):
            return None
        history = pd.read_csv(folder / "history.csv")
        state = torch.load(folder / "model.pt", map_location="cpu", weights_only=True)
        model = GLOModel(len(digits.labels), digits.n_classes, cfg)
        model.load_state_dict(state["model"])
        if len(history) != cfg.epochs:
            return None
    except Exception:  # noqa: BLE001 - any damage to a cached run means "train again"
        return None  # unreadable or corrupted: the caller retrains and overwrites it
    model = model.to(pick_device(cfg.device)).eval()
    snapshots = {int(k): v for k, v in state["snapshots"].items()}
    return Run(cfg, model, history, meta["timings"], meta["data_fingerprint"],
               version=meta["version"], snapshots=snapshots, digits=digits, cached=True, folder=folder)


def train_or_load(cfg: GLOConfig, digits: Optional[Digits] = None, root: Optional[Path] = None,
                  progress: bool = True, snapshot_epochs: Iterable[int] = ()) -> Run:
    """The cached run of ``cfg`` when it is valid, else a freshly trained (and cached) one."""
    snapshot_epochs = tuple(snapshot_epochs)
    digits = digits if digits is not None else load_digits(cfg)
    run = load_run(cfg, digits, root, snapshot_epochs)
    if run is None:
        run = train(cfg, digits, progress=progress, snapshot_epochs=snapshot_epochs)
        save_run(run, root)
    return run


def _comparable(cfg: GLOConfig) -> dict:
    # round-trip through JSON so tuples/floats compare the way they were stored
    d = json.loads(json.dumps(cfg.to_dict()))
    d.pop("device")  # where a run trained does not change what it learned
    return d

