"""The run cache: reuse a trained run only when config, data and library version match.

A run lives in ``<cache>/<run name>/`` as ``config.json`` (config, data identity,
version, timings), ``history.csv`` and ``model.pt`` (state dicts only, loaded with
``weights_only=True``). Folders are written under a temporary name and renamed into
place, so a crash never leaves a half-written run where a good one is expected.
"""
from __future__ import annotations

import hashlib
import io
import json
import warnings
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


class StaleRunWarning(UserWarning):
    """A cached run could not be reused (damaged, or made by another version): it is retrained."""


def save_run(run: Run, root: Optional[Path] = None) -> Path:
    """Write ``run`` atomically under ``root``; returns its folder."""
    final = Path(root or cache_dir()) / "runs" / run.name
    state = {"model": _cpu(run.model.state_dict()),
             "snapshots": {str(k): _cpu(v) for k, v in run.snapshots.items()}}
    meta = {"config": run.config.to_dict(), "data_fingerprint": run.data_fingerprint,
            "version": run.version, "timings": run.timings, "snapshot_epochs": sorted(run.snapshots)}
    write_model_folder(final, meta, run.history, state)
    run.folder = final
    return final


def _cpu(state: dict) -> dict:
    """A state dict with every tensor on the CPU: what is stored or sent loads on any machine."""
    return {k: v.detach().cpu() for k, v in state.items()}


def run_payload(run: Run) -> dict:
    """A trained run as plain picklable data (config, history, timings, CPU state dicts): what a
    sweep worker sends back, so that workers need no disk shared with the client."""
    return {"config": run.config.to_dict(), "history": run.history.to_dict("list"),
            "timings": run.timings, "data_fingerprint": run.data_fingerprint, "version": run.version,
            "model": _cpu(run.model.state_dict()),
            "snapshots": {int(k): _cpu(v) for k, v in run.snapshots.items()}}


def run_from_payload(payload: dict, cfg: GLOConfig, digits: Digits) -> Run:
    """The run a worker sent, on this machine's device; a ValueError when it is not the run of
    ``cfg`` on ``digits`` made by this library version (a worker with other files or code)."""
    if GLOConfig(**payload["config"]).run_name() != cfg.run_name():  # the same run, wherever it trained
        raise ValueError(f"a worker sent back another run than {cfg.run_name()}")
    if payload["version"] != __version__:
        raise ValueError(f"a worker runs glo-report {payload['version']}, this is {__version__}")
    if payload["data_fingerprint"] != digits.fingerprint():
        raise ValueError(f"the worker trained {cfg.run_name()} on other data than these "
                         f"(its {cfg.dataset} files differ from the client's)")
    model = GLOModel(len(digits.labels), digits.n_classes, cfg)
    model.load_state_dict(payload["model"])
    model = model.to(pick_device(cfg.device)).eval()
    return Run(cfg, model, pd.DataFrame(payload["history"]), payload["timings"], payload["data_fingerprint"],
               version=payload["version"], snapshots=dict(payload["snapshots"]), digits=digits)


def write_model_folder(final: Path, meta: dict, history: pd.DataFrame, state: dict) -> None:
    """``config.json`` (``meta`` plus the model file's checksum), ``history.csv`` and ``model.pt``,
    written whole into ``final`` or not at all: the layout of every cached trained thing."""
    buf = io.BytesIO()
    torch.save(state, buf)
    with atomic.folder(final) as tmp:
        meta = {**meta, "model_sha256": hashlib.sha256(buf.getvalue()).hexdigest()}  # a flipped byte is caught
        (tmp / "config.json").write_text(json.dumps(meta, indent=2))
        history.to_csv(tmp / "history.csv", index=False)
        (tmp / "model.pt").write_bytes(buf.getvalue())


def load_run(cfg: GLOConfig, digits: Digits, root: Optional[Path] = None,
             snapshot_epochs: Iterable[int] = ()) -> Optional[Run]:
    """The cached run of ``cfg`` on ``digits``, or None when absent, stale or damaged.

    A run that exists but cannot be reused (damaged, another version, other data) gets one
    ``StaleRunWarning`` naming it and why, since the caller will retrain and replace it.
    """
    folder = Path(root or cache_dir()) / "runs" / cfg.run_name()
    if not (folder / "config.json").exists():
        return None
    try:
        meta = json.loads((folder / "config.json").read_text())
        problem = _unusable(meta, cfg, digits, snapshot_epochs)
        if problem is None:
            blob = (folder / "model.pt").read_bytes()
            if hashlib.sha256(blob).hexdigest() != meta["model_sha256"]:
                problem = "model.pt does not match its checksum (the file was damaged)"
    except (OSError, ValueError, KeyError, TypeError) as err:
        problem = f"unreadable ({type(err).__name__}: {err})"
    if problem is None:
        try:
            history = pd.read_csv(folder / "history.csv")
            state = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
            model = GLOModel(len(digits.labels), digits.n_classes, cfg)
            model.load_state_dict(state["model"])
            if len(history) != cfg.epochs:
                problem = f"history.csv has {len(history)} epochs, the config {cfg.epochs}"
        except Exception as err:  # noqa: BLE001 - any damage to a cached run means "train again"
            problem = f"unreadable ({type(err).__name__}: {str(err)[:200]})"
    if problem == _NEEDS_SNAPSHOTS:
        return None  # not damaged: it was trained without the snapshots asked for now
    if problem is not None:
        warnings.warn(f"cached run {cfg.run_name()} in {folder.parent} cannot be reused: {problem}; "
                      "it is retrained and replaced", StaleRunWarning, stacklevel=2)
        return None
    model = model.to(pick_device(cfg.device)).eval()
    snapshots = {int(k): v for k, v in state["snapshots"].items()}
    return Run(cfg, model, history, meta["timings"], meta["data_fingerprint"],
               version=meta["version"], snapshots=snapshots, digits=digits, cached=True, folder=folder)


_NEEDS_SNAPSHOTS = "trained without the snapshots asked for"


def _unusable(meta: dict, cfg: GLOConfig, digits: Digits, snapshot_epochs: Iterable[int]) -> Optional[str]:
    """Why a stored run's metadata rules it out, or None."""
    if meta["version"] != __version__:
        return f"made by glo-report {meta['version']}, this is {__version__}"
    if {k: v for k, v in meta["config"].items() if k not in ("device", "log_dir")} != _comparable(cfg):
        return "its stored config differs"
    if meta["data_fingerprint"] != digits.fingerprint():
        return "it was trained on other data"
    if not set(snapshot_epochs) <= set(meta["snapshot_epochs"]):
        return _NEEDS_SNAPSHOTS
    return None


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
    d.pop("log_dir")  # nor where its curves were logged
    return d

