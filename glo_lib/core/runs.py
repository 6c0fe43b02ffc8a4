"""The run cache: reuse a trained run only when config, data and library version match.

A run is a store entry (``glo_lib.store``) in ``<cache>/runs/<run name>/``: ``config.json``
(its config, data identity, version, timings, checksums), ``history.csv`` and ``model.pt``
(state dicts only, loaded with ``weights_only=True``), written whole or not at all.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Optional

import pandas as pd

from .. import store
from ..paths import cache_dir
from ..store import StaleRunWarning  # noqa: F401 - its historical home: importable from here too
from ..version import __version__
from .config import GLOConfig, pick_device, without_unused
from .data import Digits, load_digits
from .model import GLOModel
from .train import Run, train


#: config fields that say where or how a run was watched, not what it learned: not part of its identity
NOT_IDENTITY = ("device", "log_dir")
#: what a differing identity key of a stored run means
_WHY = {"config": "its stored config differs", "data_fingerprint": "it was trained on other data"}


def run_folder(name: str, root: Optional[Path] = None) -> Path:
    """Where the run called ``name`` is cached."""
    return Path(root or cache_dir()) / "runs" / name


def save_run(run: Run, root: Optional[Path] = None) -> Path:
    """Write ``run`` atomically under ``root``; returns its folder."""
    state = {"model": _cpu(run.model.state_dict()),
             "snapshots": {str(k): _cpu(v) for k, v in run.snapshots.items()}}
    info = {"config": run.config.to_dict(), "timings": run.timings, "snapshot_epochs": sorted(run.snapshots)}
    run.folder = store.save(run_folder(run.name, root), "run", _identity(run.config, run.data_fingerprint),
                            {"history.csv": run.history, "model.pt": state}, info)
    return run.folder


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


def load_run(cfg: GLOConfig, digits: Digits, root: Optional[Path] = None,
             snapshot_epochs: Iterable[int] = ()) -> Optional[Run]:
    """The cached run of ``cfg`` on ``digits``, or None when absent, stale or damaged.

    A run that exists but cannot be reused (damaged, another version, other data) gets one
    ``StaleRunWarning`` naming it and why, since the caller will retrain and replace it; one
    trained without the snapshots asked for now is passed over silently (it is not damaged).
    """
    wanted = set(snapshot_epochs)
    device = pick_device(cfg.device)  # a device this machine lacks is the caller's error, not damage

    def read(entry: store.Entry) -> Optional[Run]:
        if not wanted <= set(entry.meta["snapshot_epochs"]):
            return None  # trained without the snapshots asked for
        history, state = entry["history.csv"], entry["model.pt"]
        if len(history) != cfg.epochs:
            raise store.Unusable(f"history.csv has {len(history)} epochs, the config {cfg.epochs}")
        model = GLOModel(len(digits.labels), digits.n_classes, cfg)
        model.load_state_dict(state["model"])
        model = model.to(device).eval()
        snapshots = {int(k): v for k, v in state["snapshots"].items()}
        return Run(cfg, model, history, entry.meta["timings"], entry.meta["identity"]["data_fingerprint"],
                   version=entry.meta["version"], snapshots=snapshots, digits=digits, cached=True,
                   folder=entry.folder)

    return store.load(run_folder(cfg.run_name(), root), "run", _identity(cfg, digits.fingerprint()), read, _WHY)


def _identity(cfg: GLOConfig, data_fingerprint: str) -> dict:
    """What a stored run must match to be reused: its config (less ``NOT_IDENTITY``) and its data."""
    return {"config": _comparable(cfg), "data_fingerprint": data_fingerprint}


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
    d = without_unused(json.loads(json.dumps(cfg.to_dict())))  # matches runs stored before the adversary
    for name in NOT_IDENTITY:  # where a run trained, or was logged, does not change what it learned
        d.pop(name, None)
    return d
