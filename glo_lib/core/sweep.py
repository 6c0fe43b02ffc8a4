"""Sweeps: many small runs, each trained once, cached, and spread over any executor.

Runs of a sweep are independent, so they go through any ``concurrent.futures.Executor``: local
worker processes by default (one torch thread each), or a Dask cluster's
(``distributed.Client(address).get_executor()``), chosen by ``$GLO_DASK_SCHEDULER`` (which
``glo-report build --scheduler`` sets for the notebooks it runs). A worker trains one run and sends
it back as plain data (config, history, state dicts); this process checks it and writes it into
its own cache, so workers need no shared disk (it also writes the TensorBoard logs of runs trained
elsewhere). A run whose worker died is retried once, then reported by name. Where each run trained
is appended to ``$GLO_TRAINED_LOG`` when set (``glo-report build`` sets it: its summary counts
them). Small sweeps with no executor asked for train in this process, because a local worker
spends seconds importing torch (on the 2-core development machine the two ways only broke even:
see docs/performance.md). Cached runs are loaded, never retrained; data are loaded once
per seed. Local workers are spawned, so a plain script that calls `sweep` needs the
`if __name__ == "__main__":` guard.
"""
from __future__ import annotations

import functools
import itertools
import os
import socket
import time
import urllib.parse
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import torch
from tqdm.auto import tqdm

from ..paths import cache_dir
from .config import GLOConfig
from .data import Digits, load_digits
from .runs import load_run, run_from_payload, run_payload, save_run, train_or_load
from .train import Run, summary_writer, tensorboard_dir, train, write_tensorboard

#: image-epochs below which a sweep with no executor asked for trains in this process (one Table 1
#: run is 12,800): spawning workers costs seconds, and on a 2-core machine they only break even
MIN_PARALLEL_WORK = 100_000
#: the environment variable naming a Dask scheduler (``tcp://host:8786``) that sweeps send runs to
SCHEDULER_ENV = "GLO_DASK_SCHEDULER"
#: seconds to wait for that scheduler to answer before saying that nothing does
CONNECT_TIMEOUT_S = 4.0
#: seconds a plain TCP connection to the scheduler may take before the address counts as unreachable
PROBE_TIMEOUT_S = 2.0
#: the environment variable naming a file each sweep appends "<place>\t<run name>" to for every run
#: it trains (``glo-report build`` sets it, so that its summary says where its runs trained)
TRAINED_LOG = "GLO_TRAINED_LOG"
#: the places a sweep trains in without a cluster
IN_PROCESS, LOCAL_WORKERS = "this process", "local worker processes"
#: exceptions that mean the worker was lost (killed, out of memory), not that the run cannot train
WORKER_LOST = ("KilledWorker", "BrokenProcessPool", "CancelledError", "CommClosedError", "FutureCancelledError")


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
    retried: list[dict] = field(default_factory=list)  # runs sent again after their worker was lost

    def summary(self) -> str:
        retried = f", {len(self.retried)} retried after a lost worker" if self.retried else ""
        return (f"{len(self.runs)} runs in {self.seconds:.1f} s: {self.n_trained} trained, "
                f"{self.n_cached} loaded from the cache{retried}")


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
          raise_on_failure: bool = True, executor: Optional[Executor] = None) -> SweepResult:
    """Train (or load) every combination of ``grid`` over ``base``; runs in grid order.
    ``executor``: where missing runs train (default: ``$GLO_DASK_SCHEDULER``'s cluster when set,
    else ``workers`` local processes, or this process for a small sweep)."""
    return sweep_configs(grid_configs(base, grid), base, workers, progress, snapshot_epochs, root,
                         raise_on_failure, executor)


def sweep_configs(configs: Sequence[GLOConfig], base: Optional[GLOConfig] = None, workers: Optional[int] = None,
                  progress: bool = True, snapshot_epochs: Sequence[int] = (), root: Optional[Path] = None,
                  raise_on_failure: bool = True, executor: Optional[Executor] = None) -> SweepResult:
    """Train (or load) every config of a list that is not a grid; failures are named by how they
    differ from ``base`` (default: the first config)."""
    start = time.perf_counter()
    configs = list(configs)
    if len({c.run_name() for c in configs}) != len(configs):
        raise ValueError("the sweep lists a run twice")
    if executor is not None and not isinstance(executor, Executor):
        raise ValueError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    base = base or configs[0]
    root = Path(root or cache_dir())
    digits_of = _data_loader()
    runs: dict[int, Run] = {}
    failures: list[tuple[dict, str]] = []

    def fail(i: int, err: Any) -> None:
        failures.append((_changed(base, configs[i]), err if isinstance(err, str) else _describe(err)))

    todo = []
    for i, cfg in enumerate(configs):
        try:
            run = load_run(cfg, digits_of(cfg), root, snapshot_epochs)
        except Exception as err:  # noqa: BLE001 - e.g. a dataset whose files are missing
            fail(i, err)
            continue
        if run is not None:
            runs[i] = run
        else:
            todo.append(i)
    n_unloadable = len(failures)
    for log_dir in {tensorboard_dir(configs[i]) for i in todo} - {""}:
        summary_writer(log_dir)  # a missing tensorboard fails before any training
    if executor is None and todo:  # a sweep that is all in the cache needs no cluster
        executor = scheduler_executor()
    workers = workers or min(2, os.cpu_count() or 1)
    work = sum(configs[i].n_samples * configs[i].epochs for i in todo)
    retried: list[dict] = []
    if executor is None and (workers == 1 or len(todo) <= 1 or work < MIN_PARALLEL_WORK):
        for i in tqdm(todo, desc="sweep", disable=not progress):
            try:
                runs[i] = train_or_load(configs[i], digits_of(configs[i]), root, False, snapshot_epochs)
            except Exception as err:  # noqa: BLE001 - report and carry on with the others
                fail(i, err)
        log_trained(IN_PROCESS, [runs[i].name for i in todo if i in runs])
    elif todo:
        got, retried_ids = _train_remote([configs[i] for i in todo], executor, workers, snapshot_epochs, progress)
        retried = [_changed(base, configs[todo[j]]) for j in retried_ids]
        for j, outcome in sorted(got.items()):
            i = todo[j]
            try:
                if isinstance(outcome, str):  # what went wrong, already described
                    fail(i, outcome)
                    continue
                runs[i] = run_from_payload(outcome, configs[i], digits_of(configs[i]))
                save_run(runs[i], root)
                if tensorboard_dir(configs[i]):  # written here, where the user runs tensorboard
                    write_tensorboard(runs[i], tensorboard_dir(configs[i]))
            except Exception as err:  # noqa: BLE001
                runs.pop(i, None)
                fail(i, err)
        log_trained(place_of(executor), [runs[i].name for i in todo if i in runs])
    ordered = [runs[i] for i in sorted(runs)]
    n_cached = len(configs) - len(todo) - n_unloadable
    result = SweepResult(ordered, time.perf_counter() - start, n_cached, len(runs) - n_cached, failures, retried)
    if failures and raise_on_failure:
        lines = "; ".join(f"{p}: {e}" for p, e in failures)
        raise SweepError(f"{len(failures)} of {len(configs)} runs failed: {lines}", result)
    return result


def _train_remote(configs: list[GLOConfig], executor: Optional[Executor], workers: int,
                  snapshot_epochs: Sequence[int], progress: bool) -> tuple[dict[int, Any], list[int]]:
    """Each config trained through ``executor`` (default: ``workers`` local processes), a run whose
    worker was lost sent once more: {index: payload, or a description of its failure}, and the
    indices retried."""
    threads = None if executor is not None else max(1, (os.cpu_count() or 1) // workers)
    pool = executor if executor is not None else _local_pool(workers)
    try:
        got, lost = _train_on(pool, configs, snapshot_epochs, threads, progress, attempt=1)
        retry = sorted(lost)
        if retry:
            pool = _usable(pool, executor, workers)
            again, still_lost = _train_on(pool, [configs[j] for j in retry], snapshot_epochs, threads, progress,
                                          attempt=2)
            got.update({retry[k]: outcome for k, outcome in again.items()})
            got.update({retry[k]: f"its worker was lost twice (last: {why})" for k, why in still_lost.items()})
    finally:
        if pool is not executor:
            pool.shutdown(wait=True, cancel_futures=True)
    return got, retry


def _data_loader() -> Callable[[GLOConfig], Digits]:
    """``load_digits`` remembered per data set and seed, not loaded once per run."""
    data: dict[tuple, Digits] = {}

    def digits_of(c: GLOConfig) -> Digits:
        key = (c.dataset, c.data_root, c.n_samples, c.seed)
        if key not in data:
            data[key] = load_digits(c)
        return data[key]
    return digits_of


def _train_on(pool: Executor, configs: list[GLOConfig], snapshot_epochs: Sequence[int],
              threads: Optional[int], progress: bool, attempt: int) -> tuple[dict[int, Any], dict[int, str]]:
    """Each config trained through ``pool``: {index: payload, or the error it raised as text}, and
    {index: what happened} for those whose worker was lost."""
    futures: dict[Future, int] = {}
    outcomes: dict[int, Any] = {}
    lost: dict[int, str] = {}
    for j, cfg in enumerate(configs):
        try:
            futures[pool.submit(train_payload, as_sent(cfg), tuple(snapshot_epochs), threads, attempt)] = j
        except BrokenProcessPool as err:
            lost[j] = _describe(err)
    for fut in tqdm(as_completed(futures), total=len(futures), desc="sweep", disable=not progress):
        j = futures[fut]
        try:
            outcomes[j] = fut.result()
        except (Exception, CancelledError) as err:  # noqa: BLE001 - every run is reported on its own
            if type(err).__name__ in WORKER_LOST:
                lost[j] = _describe(err)
            else:
                outcomes[j] = _describe(err)
    return outcomes, lost


def as_sent(cfg: GLOConfig) -> dict:
    """``cfg`` as a worker gets it: its precision resolved here, because "auto" means what this
    machine picks and the run is filed here under that (a worker elsewhere may pick otherwise)."""
    return cfg.replace(precision=cfg.resolved_precision()).to_dict()


def place_of(executor: Optional[Executor]) -> str:
    """Where runs sent to ``executor`` train, in words: local worker processes (the default pool),
    the Dask cluster at its scheduler's address, or the executor's class."""
    if executor is None or isinstance(executor, ProcessPoolExecutor):
        return LOCAL_WORKERS
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    address = getattr(getattr(client, "scheduler", None), "address", None)
    return f"the Dask cluster at {address}" if address else type(executor).__name__


def log_trained(place: str, names: Iterable[str]) -> None:
    """Append "<place>\t<run name>" to ``$GLO_TRAINED_LOG`` for each run trained (when it is set)."""
    path, names = os.environ.get(TRAINED_LOG), list(names)
    if path and names:
        with open(path, "a") as log:
            log.writelines(f"{place}\t{name}\n" for name in names)


def trained_places(path: Path) -> dict[str, str]:
    """What ``$GLO_TRAINED_LOG`` holds: {run name: where it trained} (the last place, for a run
    trained twice); empty when the file is absent."""
    if not Path(path).exists():
        return {}
    lines = (line.split("\t", 1) for line in Path(path).read_text().splitlines() if "\t" in line)
    return {name: place for place, name in lines}


def train_payload(cfg_dict: dict, snapshot_epochs: tuple = (), threads: Optional[int] = None,
                  attempt: int = 1) -> dict:
    """What a worker does: train one run on data it loads itself and return it as plain data
    (``runs.run_payload``); it writes nothing to any cache. ``attempt`` only tells a retry from
    the lost try (Dask names a task by its arguments and would hand back the lost one)."""
    if threads:
        torch.set_num_threads(threads)
    cfg = GLOConfig(**cfg_dict)
    # log_dir "": the client writes the TensorBoard logs of what it gets back, on its own disk
    return run_payload(train(cfg, load_digits(cfg), progress=False, snapshot_epochs=snapshot_epochs, log_dir=""))


def _local_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"))


def _usable(pool: Executor, asked: Optional[Executor], workers: int) -> Executor:
    """``pool``, or a fresh local pool in place of a broken one (a local pool whose worker died
    refuses all further work; a Dask cluster replaces its workers itself)."""
    if isinstance(pool, ProcessPoolExecutor) and getattr(pool, "_broken", False):
        if pool is not asked:
            pool.shutdown(wait=False, cancel_futures=True)
        return _local_pool(getattr(pool, "_max_workers", workers))
    return pool


def scheduler_executor() -> Optional[Executor]:
    """The executor of the Dask cluster named by ``$GLO_DASK_SCHEDULER``, or None when unset."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    return dask_executor(address) if address else None


@functools.lru_cache(maxsize=4)
def dask_executor(address: str) -> Executor:
    """``distributed.Client(address).get_executor()``, one client per address and process; a
    ConnectionError naming the address (and ``$GLO_DASK_SCHEDULER``) when nothing answers there."""
    _probe(address)  # before importing Dask: a closed port is refused in milliseconds
    import distributed  # imported here: only sweeps sent to a cluster need it, and it is slow to import

    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ConnectionError(f"no Dask scheduler answers at {address!r} (from --scheduler or "
                              f"${SCHEDULER_ENV}) within {CONNECT_TIMEOUT_S:g} s: {err}") from None
    return client.get_executor()


def _probe(address: str) -> None:
    """A ConnectionError at once when nothing listens at a tcp:// address (a closed port answers
    in milliseconds, an unreachable host within PROBE_TIMEOUT_S), before Dask's own retries."""
    parsed = urllib.parse.urlsplit(address if "://" in address else f"tcp://{address}")
    if parsed.scheme != "tcp" or parsed.hostname is None or parsed.port is None:
        return  # other transports (tls://, inproc://) are left to Dask
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=PROBE_TIMEOUT_S).close()
    except OSError as err:
        raise ConnectionError(f"no Dask scheduler answers at {address!r} (from --scheduler or "
                              f"${SCHEDULER_ENV}): {err.strerror or err}") from None


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}"


def _changed(base: GLOConfig, cfg: GLOConfig) -> dict:
    """The fields in which ``cfg`` differs from ``base`` (what names a failed run), plus seed."""
    b, c = base.to_dict(), cfg.to_dict()
    return {k: v for k, v in c.items() if b[k] != v or k == "seed"}
