"""TensorBoard logs (GLOConfig.log_dir, $GLO_TENSORBOARD_DIR): every trained run writes its
per-epoch history and reconstructions, read back here with TensorBoard's own reader; where the
logs go is not part of a run's identity, and a run loaded from the cache writes nothing."""
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest

from glo_lib import GLOConfig, train
from glo_lib.core.runs import train_or_load
from glo_lib.core.sweep import sweep
from glo_lib.core.train import TENSORBOARD_ENV

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _read(folder):
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    return acc


def _event_files(log_dir):
    return sorted(log_dir.rglob("events.out.tfevents.*"))


def test_a_trained_run_writes_its_history_and_reconstructions(tmp_path, tiny_cfg, tiny_digits):
    run = train(tiny_cfg.replace(log_dir=str(tmp_path / "tb")), tiny_digits, progress=False)
    acc = _read(tmp_path / "tb" / run.name)  # one folder per run, named as the run
    columns = [c for c in run.history.select_dtypes("number").columns if c != "epoch"]
    assert {"loss", "reconstruction_loss", "content_penalty", "mse", "content_norm"} <= set(columns)
    assert set(acc.Tags()["scalars"]) == {f"history/{c}" for c in columns}
    for c in columns:
        events = acc.Scalars(f"history/{c}")
        assert [e.step for e in events] == list(range(1, tiny_cfg.epochs + 1))
        assert [e.value for e in events] == pytest.approx(run.history[c].tolist(), rel=1e-5)
    [image] = acc.Images("reconstructions")
    assert image.step == tiny_cfg.epochs and image.width > image.height > 0  # originals above reconstructions


def test_log_dir_is_not_part_of_a_run_and_a_cached_run_writes_nothing(tmp_path, tiny_cfg, tiny_digits):
    logged = tiny_cfg.replace(seed=7, log_dir=str(tmp_path / "a"))
    plain = logged.replace(log_dir="")
    assert (logged.key(), logged.run_name()) == (plain.key(), plain.run_name())
    first = train_or_load(logged, tiny_digits, root=tmp_path / "cache", progress=False)
    assert not first.cached and len(_event_files(tmp_path / "a")) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no StaleRunWarning: the stored config still matches
        again = train_or_load(logged.replace(log_dir=str(tmp_path / "b")), tiny_digits,
                              root=tmp_path / "cache", progress=False)
        assert train_or_load(plain, tiny_digits, root=tmp_path / "cache", progress=False).cached
    assert again.cached and not (tmp_path / "b").exists()  # loaded, not trained: no logs


def test_the_environment_variable_turns_logs_on(tmp_path, tiny_cfg, tiny_digits, monkeypatch):
    monkeypatch.setenv(TENSORBOARD_ENV, str(tmp_path / "env"))
    run = train(tiny_cfg.replace(epochs=1), tiny_digits, progress=False)
    assert _read(tmp_path / "env" / run.name).Tags()["scalars"]
    train(tiny_cfg.replace(epochs=1), tiny_digits, progress=False)  # trained again: one set of curves
    assert len(_event_files(tmp_path / "env" / run.name)) == 1


def test_a_sweep_logs_runs_trained_here_and_elsewhere_once(tmp_path, tiny_cfg):
    base = tiny_cfg.replace(epochs=1, log_dir=str(tmp_path / "tb"))
    here = sweep(base, {"seed": [11]}, progress=False, root=tmp_path / "cache")  # in this process
    # through an executor, as on workers: the worker writes nothing, this process writes what it gets
    there = sweep(base, {"seed": [12, 13]}, progress=False, root=tmp_path / "cache",
                  executor=ThreadPoolExecutor(2))
    names = sorted(r.name for r in here.runs + there.runs)
    assert sorted(p.name for p in (tmp_path / "tb").iterdir()) == names
    assert len(_event_files(tmp_path / "tb")) == 3
    assert all(_read(tmp_path / "tb" / n).Scalars("history/loss") for n in names)


def test_without_tensorboard_the_error_names_log_dir_before_training(tmp_path, tiny_cfg, tiny_digits, monkeypatch):
    import glo_lib.core.train as train_mod

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if not installed
    monkeypatch.setattr(train_mod, "initial_model", lambda *a: pytest.fail("training started"))
    with pytest.raises(ImportError, match=r"log_dir=.*tensorboard.*\[tensorboard\]"):
        train(tiny_cfg.replace(log_dir=str(tmp_path / "tb")), tiny_digits, progress=False)
    with pytest.raises(ImportError, match="log_dir"):
        sweep(tiny_cfg.replace(log_dir=str(tmp_path / "tb")), {"seed": [21]}, progress=False, root=tmp_path)
    assert not (tmp_path / "tb").exists()


def test_log_dir_is_checked(tiny_cfg):
    with pytest.raises(ValueError, match="log_dir"):
        tiny_cfg.replace(log_dir=None)
    assert GLOConfig().log_dir == ""  # off by default
