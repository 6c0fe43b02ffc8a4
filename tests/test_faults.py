"""Faults a user meets: Ctrl-C and kill -9 in the middle of training, two builds at once, a
missing LaTeX, damaged cache files. Nothing corrupt is left behind, damage is named once, and the
next build carries on from the cache."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
import warnings
from pathlib import Path

import psutil
import pytest
import torch

from conftest import ROOT
from glo_lib import store
from glo_lib.core import judge as judge_module
from glo_lib.core.judge import JudgeNet, judge_or_load
from glo_lib.measures import evaluate as evaluate_module
from glo_lib.store import StaleRunWarning

#: a stop after Ctrl-C must be prompt; the issue asks for 2 s, the bound here leaves room for a busy CI
STOP_BOUND_S = 5.0


def _project(tmp_path: Path) -> Path:
    """A project of three real notebooks that train (01 one run, 02 its sweeps, 05 the probe's, whose
    figure 02's text refers to): enough to interrupt training and rebuild, at a fraction of the whole
    report's cost."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "report" / "template", root / "report" / "template")
    (root / "notebooks").mkdir()
    for name in ("01_setup.ipynb", "02_noise_study.ipynb", "05_adversarial_content_probe.ipynb"):
        shutil.copy(ROOT / "notebooks" / name, root / "notebooks" / name)
    return root


def _build_args(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "glo_lib.reporting.cli", "build", "--smoke", "--root", str(root), "--out", str(out)]


def _start(root: Path, out: Path, cache: Path, mark: str) -> subprocess.Popen:
    env = {**os.environ, "GLO_CACHE_DIR": str(cache), "GLO_FAULT_MARK": mark}
    return subprocess.Popen(_build_args(root, out), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _marked(mark: str) -> list[psutil.Process]:
    """Processes started by a build (the build, its kernels, its workers): they carry its mark."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("GLO_FAULT_MARK") == mark:
                found.append(p)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            pass
    return found


def _wait_for_runs(cache: Path, proc: subprocess.Popen, n: int, timeout: float = 240) -> None:
    """Until ``n`` runs are in the cache: the build is then in the middle of training."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.communicate()
        if len(list((cache / "runs").glob("[!.]*"))) >= n:
            return
        time.sleep(0.1)
    raise AssertionError(f"no {n} runs in {cache} after {timeout} s")


def _complete_runs(cache: Path) -> dict[str, float]:
    """Every run folder in the cache is whole (config, history, model matching their checksums)."""
    stamps = {}
    for folder in (cache / "runs").glob("[!.]*"):
        assert store.damage(folder) is None, (folder.name, store.damage(folder))
        assert {"history.csv", "model.pt"} <= set(json.loads((folder / "config.json").read_text())["sha256"])
        stamps[folder.name] = (folder / "model.pt").stat().st_mtime_ns
    return stamps


def test_interrupted_and_killed_builds_leave_the_cache_whole_and_the_next_build_carries_on(tmp_path):
    out, cache, root = tmp_path / "build", tmp_path / "cache", _project(tmp_path)
    out.mkdir()
    previous = out / "glo_report.pdf"
    previous.write_bytes(b"%PDF the previous report")

    mark = uuid.uuid4().hex
    proc = _start(root, out, cache, mark)
    _wait_for_runs(cache, proc, 1)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    start = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - start < STOP_BOUND_S
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not _marked(mark)  # its kernel and workers are gone too
    assert previous.read_bytes() == b"%PDF the previous report"

    mark = uuid.uuid4().hex
    proc = _start(root, out, cache, mark)
    _wait_for_runs(cache, proc, len(_complete_runs(cache)) + 1)
    proc.kill()  # kill -9: no chance to clean up
    proc.wait(timeout=10)
    end = time.monotonic() + 15
    while _marked(mark) and time.monotonic() < end:  # a kernel notices its parent is gone
        time.sleep(0.2)
    assert not _marked(mark)
    before = _complete_runs(cache)

    done = subprocess.run(_build_args(root, out), cwd=ROOT, env={**os.environ, "GLO_CACHE_DIR": str(cache)},
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert previous.read_bytes().startswith(b"%PDF-")  # replaced by the new report
    after = _complete_runs(cache)
    assert {name: after[name] for name in before} == before  # every finished run was reused


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    import fcntl

    out = tmp_path / "build"
    out.mkdir()
    with open(out / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        done = subprocess.run([sys.executable, "-m", "glo_lib.reporting.cli", "build", "--smoke", "--out", str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"another build is writing to {out}" in done.stderr and "--out" in done.stderr
    assert not (out / "executed").exists() or not list((out / "executed").iterdir())


def test_two_processes_training_one_run_into_one_cache_leave_one_whole_run(tmp_path):
    script = ("import glo_lib as glo; c = glo.GLOConfig(n_samples=40, epochs=3, batch_size=8); "
              "glo.train_or_load(c, progress=False)")
    env = {**os.environ, "GLO_CACHE_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert len(_complete_runs(tmp_path)) == 1
    assert not list((tmp_path / "runs").glob(".*"))  # no temporary folder left behind


def test_missing_latex_is_named_before_any_work(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("pandoc",):  # pandoc present, xelatex missing
        os.symlink(shutil.which(tool), bin_dir / tool)
    env = {**os.environ, "PATH": str(bin_dir)}
    done = subprocess.run([sys.executable, "-m", "glo_lib.reporting.cli", "build", "--smoke", "--out",
                           str(tmp_path / "b")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "xelatex not found" in done.stderr and "apt-get install" in done.stderr
    assert not (tmp_path / "b" / "executed").exists()


# --- damaged cache files: the judge, an evaluation, a write cut short -----------------------------

def _stale(caught) -> list:
    return [w for w in caught if w.category is StaleRunWarning]


def _flip(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))


@pytest.fixture
def cheap_judges(monkeypatch):
    """``train_judge`` replaced by an untrained judge, counted: what is tested is the cache around it."""
    trained = []

    def train_judge(digits, epochs=10, seed=0):
        trained.append(epochs)
        with torch.random.fork_rng(devices=[]):  # leave the session's random stream as it was
            torch.manual_seed(len(trained))
            net = JudgeNet().eval().requires_grad_(False)
        return judge_module.Judge(net, 0.5 + len(trained) / 100, 10, 5, epochs)

    monkeypatch.setattr(judge_module, "train_judge", train_judge)
    return trained


JUDGE_DAMAGE = {
    "bytes flipped": (lambda f: _flip(f / "judge.pt"), "judge.pt does not match its checksum"),
    "a valid state dict of another judge": (
        lambda f: torch.save({k: torch.zeros_like(v) for k, v in JudgeNet().state_dict().items()}, f / "judge.pt"),
        "judge.pt does not match its checksum"),
    "its description unreadable": (lambda f: (f / "config.json").write_text("{"), "unreadable"),
    "the weights gone": (lambda f: (f / "judge.pt").unlink(), "judge.pt is missing"),
}


@pytest.mark.parametrize("damage", sorted(JUDGE_DAMAGE))
def test_a_damaged_judge_is_named_once_and_retrained(tmp_path, tiny_digits, cheap_judges, damage):
    first = judge_or_load(tiny_digits, epochs=1, root=tmp_path)
    assert not first.cached and judge_or_load(tiny_digits, epochs=1, root=tmp_path).cached
    folder = tmp_path / "judges" / first.key
    harm, why = JUDGE_DAMAGE[damage]
    harm(folder)
    with pytest.warns(StaleRunWarning) as caught:
        again = judge_or_load(tiny_digits, epochs=1, root=tmp_path)
    assert len(_stale(caught)) == 1
    message = str(_stale(caught)[0].message)
    assert f"judge {first.key} in {folder.parent}" in message and why in message
    assert not again.cached and len(cheap_judges) == 2 and again.key == first.key
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = judge_or_load(tiny_digits, epochs=1, root=tmp_path)  # replaced by a good copy
    assert back.cached and back.accuracy == again.accuracy
    assert all(torch.equal(a, b) for a, b in zip(back.net.state_dict().values(), again.net.state_dict().values()))


def test_a_judge_of_another_pool_or_epochs_is_another_entry(tmp_path, tiny_digits, cheap_judges, recwarn):
    one = judge_or_load(tiny_digits, epochs=1, root=tmp_path)
    two = judge_or_load(tiny_digits, epochs=2, root=tmp_path)
    assert one.key != two.key and len(cheap_judges) == 2 and not _stale(recwarn)


@pytest.fixture
def counted_evaluations(monkeypatch, tmp_path):
    """A run-like and judge-like pair whose ``evaluate`` is counted: the cache around it is tested."""
    import types

    done = []

    def evaluate(run, judge, n_generated=1000, **_):
        done.append(n_generated)
        return {"mse": 0.01 * len(done), "transfer_accuracy": 0.9, "cached": run.cached}

    monkeypatch.setattr(evaluate_module, "evaluate", evaluate)
    run = types.SimpleNamespace(folder=tmp_path / "runs" / "run-a", name="run-a", cached=True)
    return run, types.SimpleNamespace(key="judge-k"), done


EVAL_DAMAGE = {
    "bytes flipped": (lambda f: _flip(f / "row.json"), "row.json does not match its checksum"),
    "other numbers that parse": (lambda f: (f / "row.json").write_text(json.dumps({"mse": 0.5})),
                                 "row.json does not match its checksum"),
    "its description unreadable": (lambda f: (f / "config.json").write_bytes(b"\xff\xfe"), "unreadable"),
}


@pytest.mark.parametrize("damage", sorted(EVAL_DAMAGE))
def test_a_damaged_evaluation_is_named_once_and_evaluated_again(counted_evaluations, damage):
    run, judge, done = counted_evaluations
    first = evaluate_module.cached_evaluate(run, judge, n_generated=100)
    assert evaluate_module.cached_evaluate(run, judge, n_generated=100) == first and done == [100]
    [folder] = [p for p in (run.folder / "evals").iterdir() if not p.name.startswith(".")]
    harm, why = EVAL_DAMAGE[damage]
    harm(folder)
    with pytest.warns(StaleRunWarning) as caught:
        again = evaluate_module.cached_evaluate(run, judge, n_generated=100)
    assert len(_stale(caught)) == 1
    message = str(_stale(caught)[0].message)
    assert f"evaluation {folder.name} in {folder.parent}" in message and why in message
    assert done == [100, 100] and again["mse"] == 0.02
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate_module.cached_evaluate(run, judge, n_generated=100) == again  # replaced


def test_an_evaluation_left_in_the_format_before_the_store_is_not_misread(counted_evaluations, recwarn):
    run, judge, done = counted_evaluations
    old = run.folder / "evals" / f"{judge.key}-n100-v{evaluate_module.EVAL_VERSION}.json"
    old.parent.mkdir(parents=True)
    old.write_text(json.dumps({"mse": 123.0}))  # what cached_evaluate wrote before glo_lib.store
    assert evaluate_module.cached_evaluate(run, judge, n_generated=100)["mse"] == 0.01 and done == [100]
    assert not _stale(recwarn)


WRITER = """
import sys, time
from pathlib import Path
import torch
from glo_lib import store

real = Path.write_bytes
def slow(self, data):  # half the file on disk, then a pause long enough to be killed in
    if self.name == "model.pt":
        real(self, data[: len(data) // 2])
        Path(sys.argv[2]).touch()
        time.sleep(120)
    return real(self, data)
Path.write_bytes = slow
store.save(Path(sys.argv[1]), "run", {"n": 1}, {"model.pt": {"w": torch.full((1000,), 2.0)}})
"""


def test_a_process_killed_while_writing_an_entry_leaves_the_previous_one_readable(tmp_path):
    folder = tmp_path / "runs" / "a"
    store.save(folder, "run", {"n": 1}, {"model.pt": {"w": torch.ones(1000)}})
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), str(ready)], cwd=ROOT)
    end = time.monotonic() + 120
    while not ready.exists():
        assert proc.poll() is None and time.monotonic() < end, "the writer never reached model.pt"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        entry = store.load(folder, "run", {"n": 1})
    assert torch.equal(entry["model.pt"]["w"], torch.ones(1000))  # the previous entry, whole
    assert [p.name for p in folder.parent.iterdir() if not p.name.startswith(".")] == ["a"]
    store.save(folder, "run", {"n": 1}, {"model.pt": {"w": torch.zeros(1000)}})  # the next build writes it anew
    assert torch.equal(store.load(folder, "run", {"n": 1})["model.pt"]["w"], torch.zeros(1000))


def _notebook_pair(build: Path):
    """A source notebook and its executed copy (as papermill leaves it), and a table it wrote."""
    import nbformat

    source = nbformat.v4.new_notebook()
    source.cells = [nbformat.v4.new_markdown_cell("# a"), nbformat.v4.new_code_cell("x = 1\nprint(x)")]
    source.metadata["papermill"] = {"input_path": "notebooks/01_a.ipynb"}
    executed = nbformat.reads(nbformat.writes(source), as_version=4)
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    executed.cells[1].execution_count = 1
    build.mkdir(parents=True, exist_ok=True)
    (build / "first.csv").write_text("x\n1\n")
    return source, executed


NOTEBOOK_DAMAGE = {
    "a stored table with other numbers": (lambda root: [p.write_text("x\n2\n") for p in root.rglob("first.csv")],
                                          "table first.csv does not match its checksum"),
    "stored outputs that still parse": (
        lambda root: [p.write_text(p.read_text().replace('"1\\n"', '"2\\n"')) for p in root.rglob("base.ipynb")],
        "outputs do not match their checksum"),
    "a stored notebook that does not parse": (
        lambda root: [p.write_text("{ not a notebook") for p in root.rglob("base.ipynb")], "unreadable"),
    "a stored notebook gone": (lambda root: [p.unlink() for p in root.rglob("base.ipynb")], "unreadable"),
}


@pytest.mark.parametrize("damage", sorted(NOTEBOOK_DAMAGE))
def test_a_damaged_notebook_cache_entry_is_named_once_and_run_again(tmp_path, damage):
    from glo_lib.reporting.notebook_cache import NotebookCache

    build, cache = tmp_path / "build", NotebookCache(tmp_path / "notebooks")
    source, executed = _notebook_pair(build)
    assert cache.store(source, executed, build, reads=[], written=[build / "first.csv"])
    (build / "first.csv").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hit = cache.lookup(source, build)
    assert hit.cells[1].outputs[0].text == "1\n" and (build / "first.csv").read_text() == "x\n1\n"
    (build / "first.csv").unlink()
    harm, why = NOTEBOOK_DAMAGE[damage]
    assert harm(cache.root)
    with pytest.warns(StaleRunWarning) as caught:
        assert cache.lookup(source, build) is None
    assert len(_stale(caught)) == 1
    message = str(_stale(caught)[0].message)
    assert "damaged notebook cache entry of 01_a.ipynb" in message and why in message
    assert not (build / "first.csv").exists()  # nothing damaged reaches the build folder
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.lookup(source, build) is None  # forgotten: now simply missing
        (build / "first.csv").write_text("x\n1\n")
        assert cache.store(source, executed, build, reads=[], written=[build / "first.csv"])
        assert cache.lookup(source, build) is not None  # the notebook ran again and was remembered
