"""Sweeps: many small runs, each trained once, cached, and spread over the CPU cores.

Large sweeps train independent runs concurrently in worker processes, one torch thread each;
small ones train in this process, because a worker spends seconds importing torch (on the
2-core development machine the two ways only broke even: see the README's benchmark).
Cached runs are loaded, never retrained; data are loaded once per seed. Workers are
spawned, so a plain script that calls `sweep` needs the `if __name__ == "__main__":` guard.
"""
from __future__ import annotations

import itertools
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import torch
from tqdm.auto import tqdm

from ..paths import cache_dir
from .config import GLOConfig
from .data import Digits, load_digits
from .runs import load_run, train_or_load
from .train import Run


#: image-epochs below which a sweep trains in this process (one Table 1 run is 12,800):
#: spawning workers costs seconds, and on a 2-core machine they only break even (benchmarks/)
MIN_PARALLEL_WORK = 100_000


class SweepError(RuntimeError):
    """Some runs of a sweep failed; ``result`` holds the ones that did not."""

    def __init__(self, message: str, result: "SweepResult"):
        super().__init__(message)
        self.result = result


@dataclass
class SweepResult:
    runs: list[Run]
    seconds: float
    n_cached: int
    n_trained: int
    failures: list[tuple[dict, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.runs)} runs in {self.seconds:.1f} s: {self.n_trained} trained, "
                f"{self.n_cached} loaded from the cache")


def grid_configs(base: GLOConfig, grid: Mapping[str, Sequence[Any]]) -> list[GLOConfig]:
    """One config per combination of the grid's values (each validated before any work)."""
    lists = {}
    for name, values in grid.items():
        if name not in base.to_dict():
            raise ValueError(f"sweep parameter {name!r} is not a GLOConfig field")
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ValueError(f"sweep values of {name!r} must be a non-empty list, got {values!r}")
        lists[name] = list(values)  # generators and ranges too; read once
        if not lists[name]:
            raise ValueError(f"sweep values of {name!r} must be a non-empty list, got {values!r}")
    names = list(lists)
    configs = [base.replace(**dict(zip(names, combo))) for combo in itertools.product(*lists.values())]
    # a repeated value (0 and 0.0 alike) would train one run twice, concurrently, into one folder
    seen: dict[str, GLOConfig] = {}
    for cfg in configs:
        if cfg.run_name() in seen:
            raise ValueError(f"the sweep grid repeats a run: {_changed(base, cfg)} appears twice")
        seen[cfg.run_name()] = cfg
    return configs


def sweep(base: GLOConfig, grid: Mapping[str, Sequence[Any]], workers: Optional[int] = None,
          progress: bool = True, snapshot_epochs: Sequence[int] = (), root: Optional[Path] = None,
          raise_on_failure: bool = True) -> SweepResult:
    """Train (or load) every combination of ``grid`` over ``base``; runs in grid order."""
    return sweep_configs(grid_configs(base, grid), base, workers, progress, snapshot_epochs, root,
                         raise_on_failure)


def sweep_configs(configs: Sequence[GLOConfig], base: Optional[GLOConfig] = None, workers: Optional[int] = None,
                  progress: bool = True, snapshot_epochs: Sequence[int] = (), root: Optional[Path] = None,
                  raise_on_failure: bool = True) -> SweepResult:
    """Train (or load) every config of a list that is not a grid; failures are named by how they
    differ from ``base`` (default: the first config)."""
    start = time.perf_counter()
    configs = list(configs)
    if len({c.run_name() for c in configs}) != len(configs):
        raise ValueError("the sweep lists a run twice")
    base = base or configs[0]
    root = Path(root or cache_dir())
    data: dict[tuple, Digits] = {}

    def digits_of(c: GLOConfig) -> Digits:
        key = (c.dataset, c.data_root, c.n_samples, c.seed)
        if key not in data:  # once per data set and seed, not once per run
            data[key] = load_digits(c)
        return data[key]

    runs: dict[int, Run] = {}
    failures: list[tuple[dict, str]] = []
    todo = []
    for i, cfg in enumerate(configs):
        try:
            run = load_run(cfg, digits_of(cfg), root, snapshot_epochs)
        except Exception as err:  # noqa: BLE001 - e.g. a dataset whose files are missing
            failures.append((_changed(base, cfg), f"{type(err).__name__}: {err}"))
            continue
        if run is not None:
            runs[i] = run
        else:
            todo.append(i)
    n_unloadable = len(failures)
    workers = workers or min(2, os.cpu_count() or 1)
    work = sum(configs[i].n_samples * configs[i].epochs for i in todo)
    # a spawned worker pays seconds to import torch: only worth it for large sweeps
    if workers == 1 or len(todo) <= 1 or work < MIN_PARALLEL_WORK:
        for i in tqdm(todo, desc="sweep", disable=not progress):
            try:
                runs[i] = train_or_load(configs[i], digits_of(configs[i]), root, False, snapshot_epochs)
            except Exception as err:  # noqa: BLE001 - report and carry on with the others
                failures.append((_changed(base, configs[i]), f"{type(err).__name__}: {err}"))
    else:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_train_one, configs[i].to_dict(), tuple(snapshot_epochs), str(root),
                                   max(1, (os.cpu_count() or 1) // workers)): i for i in todo}
            for fut in tqdm(as_completed(futures), total=len(futures), desc="sweep", disable=not progress):
                i = futures[fut]
                try:
                    fut.result()
                    run = load_run(configs[i], digits_of(configs[i]), root, snapshot_epochs)
                    if run is None:
                        raise RuntimeError("the trained run could not be read back from the cache")
                    run.cached = False
                    runs[i] = run
                except Exception as err:  # noqa: BLE001
                    failures.append((_changed(base, configs[i]), f"{type(err).__name__}: {err}"))
    ordered = [runs[i] for i in sorted(runs)]
    n_cached = len(configs) - len(todo) - n_unloadable
    result = SweepResult(ordered, time.perf_counter() - start, n_cached, len(runs) - n_cached, failures)
    if failures and raise_on_failure:
        lines = "; ".join(f"{p}: {e}" for p, e in failures)
        raise SweepError(f"{len(failures)} of {len(configs)} runs failed: {lines}", result)
    return result


def _train_one(cfg_dict: dict, snapshot_epochs: tuple, root: str, threads: int) -> str:
    torch.set_num_threads(threads)
    cfg = GLOConfig(**cfg_dict)
    return train_or_load(cfg, root=Path(root), progress=False, snapshot_epochs=snapshot_epochs).name


def _changed(base: GLOConfig, cfg: GLOConfig) -> dict:
    """The fields in which ``cfg`` differs from ``base`` (what names a failed run), plus seed."""
    b, c = base.to_dict(), cfg.to_dict()
    return {k: v for k, v in c.items() if b[k] != v or k == "seed"}
