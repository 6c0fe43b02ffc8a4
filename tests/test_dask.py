"""Sweeps on a real Dask cluster: two worker processes on this machine, runs sent back as data and
written into the client's cache, a killed worker's runs retried once and then reported by name, and
a build whose summary says how many runs trained on the cluster and how many elsewhere."""
import os
import shutil
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

import nbformat
import pytest
import torch

from glo_lib import GLOConfig, load_digits, train
import glo_lib.core.sweep as sweep_mod
from glo_lib.core.sweep import IN_PROCESS, LOCAL_WORKERS, SCHEDULER_ENV, TRAINED_LOG, sweep, trained_places

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def cluster():
    # allowed-failures 0: the scheduler gives up on a task at its first lost worker, so the sweep's
    # own retry (once) is what is tested; the default (3) would hide it behind Dask's retries
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=40) as c:
            with distributed.Client(c) as client:
                yield c, client


@pytest.fixture
def via_environment(cluster, monkeypatch):
    """$GLO_DASK_SCHEDULER unset at the start and restored after (whoever sets it); the client a
    test makes through it is closed after."""
    monkeypatch.setenv(SCHEDULER_ENV, "")  # recorded, so whatever a test sets is undone after it
    monkeypatch.delenv(SCHEDULER_ENV)
    sweep_mod.dask_executor.cache_clear()
    yield cluster[0].scheduler_address
    if sweep_mod.dask_executor.cache_info().currsize:
        sweep_mod.dask_executor(cluster[0].scheduler_address)._client.close()
    sweep_mod.dask_executor.cache_clear()


@pytest.fixture
def base():
    return GLOConfig(n_samples=40, epochs=2, batch_size=16, generator="course")


def _runs(root):
    return sorted(p.name for p in (root / "runs").iterdir() if not p.name.startswith("."))


def test_a_sweep_on_the_cluster_lands_in_this_cache(tmp_path, cluster, base):
    _, client = cluster
    result = sweep(base, {"noise_std": [0.0, 0.5]}, progress=False, root=tmp_path,
                   executor=client.get_executor(), snapshot_epochs=[1])
    assert (result.n_trained, result.n_cached, result.failures) == (2, 0, [])
    assert _runs(tmp_path) == sorted(r.name for r in result.runs)  # written here, by the client
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as a Dask worker runs (OMP_NUM_THREADS=1): the same summation order
    try:
        here = train(base.replace(noise_std=0.5), load_digits(base), progress=False)
    finally:
        torch.set_num_threads(threads)
    assert torch.allclose(result.runs[1].model.content, here.model.content, atol=1e-5)
    assert 1 in result.runs[0].snapshots
    again = sweep(base, {"noise_std": [0.0, 0.5]}, progress=False, root=tmp_path,
                  executor=client.get_executor())
    assert (again.n_trained, again.n_cached) == (0, 2)


def test_the_scheduler_address_in_the_environment_is_used(tmp_path, cluster, base, monkeypatch, via_environment):
    client = cluster[1]
    monkeypatch.setenv(SCHEDULER_ENV, via_environment)
    with distributed.get_task_stream(client) as stream:
        result = sweep(base, {"seed": [3]}, progress=False, root=tmp_path)  # one small run: in-process without Dask
    assert result.n_trained == 1
    assert any("train_payload" in str(task["key"]) for task in stream.data)


def test_an_unreachable_scheduler_is_named(tmp_path, base, monkeypatch):
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:9")
    monkeypatch.setattr(sweep_mod, "CONNECT_TIMEOUT_S", 2.0)
    sweep_mod.dask_executor.cache_clear()
    with pytest.raises(ConnectionError, match=r"tcp://127.0.0.1:9.*GLO_DASK_SCHEDULER"):
        sweep(base, {"seed": [4]}, progress=False, root=tmp_path)
    sweep_mod.dask_executor.cache_clear()
    # a sweep whose runs are all cached needs no cluster
    sweep(base, {"seed": [4]}, progress=False, root=tmp_path, executor=ThreadPoolExecutor(1))
    assert sweep(base, {"seed": [4]}, progress=False, root=tmp_path).n_cached == 1


class WorkerKiller(threading.Thread):
    """Kills (SIGKILL) the worker process running one of our tasks, ``times`` times, each time for
    a task it has not killed for before (a retry is a new task): a worker the scheduler has not yet
    noticed dead, or a task that has just finished, is never counted as a kill."""

    def __init__(self, client, times):
        super().__init__(daemon=True)
        self.client, self.times, self.killed, self.stop = client, times, 0, threading.Event()
        self.done_keys: set[str] = set()

    def running(self) -> list[tuple[str, str]]:
        return [(w, str(k)) for w, keys in self.client.processing().items() for k in keys
                if "train_payload" in str(k) and str(k) not in self.done_keys]

    def run(self):
        while self.killed < self.times and not self.stop.is_set():
            running = self.running()
            if running:
                worker, key = running[0]
                pid = self.client.run(os.getpid, workers=[worker]).get(worker)
                time.sleep(0.5)  # mid-run: the worker has started on it
                if pid and (worker, key) in self.running():
                    os.kill(pid, signal.SIGKILL)
                    self.done_keys.add(key)
                    self.killed += 1
            time.sleep(0.2)


@pytest.fixture
def killer(cluster):
    """Start with ``killer(times)``; stopped and joined after the test, before the cluster closes."""
    started = []

    def start(times):
        cluster[1].wait_for_workers(2, timeout=60)
        k = WorkerKiller(cluster[1], times)
        k.start()
        started.append(k)
        return k
    yield start
    for k in started:
        k.stop.set()
        k.join(timeout=30)


def test_a_killed_worker_is_retried_once(tmp_path, cluster, base, killer):
    kills = killer(times=1)
    # 200 images x 20 epochs: seconds per run, time enough to be killed mid-run
    result = sweep(base.replace(n_samples=200, epochs=20), {"noise_std": [0.1, 0.2]}, progress=False,
                   root=tmp_path, executor=cluster[1].get_executor())
    assert kills.killed == 1
    assert result.failures == [] and result.n_trained == 2
    assert result.retried and all(set(p) == {"noise_std", "seed"} for p in result.retried)
    assert "retried after a lost worker" in result.summary()
    assert len(_runs(tmp_path)) == 2


def test_a_run_whose_worker_dies_twice_is_reported_by_name(tmp_path, cluster, base, killer):
    kills = killer(times=2)
    result = sweep(base.replace(n_samples=200, epochs=80), {"noise_std": [0.7]}, progress=False,
                   root=tmp_path, executor=cluster[1].get_executor(), raise_on_failure=False)
    assert kills.killed == 2 and result.runs == []
    [(params, message)] = result.failures
    assert params == {"noise_std": 0.7, "seed": 0}
    assert "worker was lost twice" in message and "KilledWorker" in message


def test_the_build_option_points_notebook_kernels_at_the_cluster(via_environment):
    from glo_lib.reporting.cli import use_scheduler

    use_scheduler(via_environment)  # what `glo-report build --scheduler ADDRESS` does first
    assert os.environ[SCHEDULER_ENV] == via_environment  # inherited by the kernels it starts
    assert sweep_mod.scheduler_executor() is sweep_mod.dask_executor(via_environment)


def test_each_sweep_logs_where_its_runs_trained(tmp_path, cluster, base, monkeypatch):
    log = tmp_path / "trained.log"
    monkeypatch.setenv(TRAINED_LOG, str(log))
    on_cluster = sweep(base, {"noise_std": [0.2, 0.4]}, progress=False, root=tmp_path,
                       executor=cluster[1].get_executor())
    here = sweep(base, {"seed": [5]}, progress=False, root=tmp_path)  # one small run: this process
    local = sweep(base, {"seed": [6]}, progress=False, root=tmp_path,
                  executor=ProcessPoolExecutor(1, mp_context=get_context("spawn")))
    sweep(base, {"seed": [5]}, progress=False, root=tmp_path)  # loaded from the cache: not logged
    where = trained_places(log)
    assert where == {**{r.name: f"the Dask cluster at {cluster[0].scheduler_address}" for r in on_cluster.runs},
                     here.runs[0].name: IN_PROCESS, **{r.name: LOCAL_WORKERS for r in local.runs}}


def _project(folder, code: str):
    """A project of one notebook running ``code``, with the report's template."""
    shutil.copytree(os.path.join(ROOT, "report", "template"), folder / "report" / "template")
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("smoke: bool = False  # smoke", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(code)]
    (folder / "notebooks").mkdir()
    nbformat.write(nb, str(folder / "notebooks" / "01_runs.ipynb"))
    return folder


def test_a_build_on_the_cluster_says_how_many_runs_trained_where(tmp_path, cluster, via_environment,
                                                                 monkeypatch, capsys):
    from glo_lib.reporting.build import build

    # the notebook kernel sweeps on the cluster ($GLO_DASK_SCHEDULER, as --scheduler sets it) and
    # trains one run itself: the counts travel back from the kernel's process to the summary
    root = _project(tmp_path / "project", "\n".join([
        "from glo_lib import GLOConfig, train_or_load",
        "from glo_lib.core.sweep import sweep",
        "base = GLOConfig(n_samples=40, epochs=2, batch_size=16, generator='course', seed=31)",
        "result = sweep(base, {'noise_std': [0.1, 0.6]}, progress=False)",
        "train_or_load(base.replace(seed=32), progress=False).cached"]))
    monkeypatch.setenv(SCHEDULER_ENV, via_environment)
    build(root=root, out_dir=tmp_path / "build", reuse=False)
    out = capsys.readouterr().out
    assert f"sweeps were sent to the Dask scheduler at {via_environment}" in out
    assert "3 run(s) trained into" in out
    assert f"where they trained: 2 on the Dask cluster at {via_environment}, 1 in the notebook kernels themselves" in out
    assert TRAINED_LOG not in os.environ  # the build's environment is undone
