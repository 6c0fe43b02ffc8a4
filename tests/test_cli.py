"""The command line: `glo-report build` with parameters, and its answers to mistakes."""
import os
import subprocess
import sys

import pytest

import glo_lib.core.sweep as sweep_mod
from conftest import ROOT
from glo_lib.core.data import SYSTEM_FOLDERS
from glo_lib.reporting import cli


def test_bad_value_is_named_before_any_work(capsys, tmp_path):
    status = cli.main(["build", "--root", str(ROOT), "--out", str(tmp_path), "-p", "noise_std", "-1"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("glo-report: ") and "noise_std must be a finite number >= 0, got -1" in err
    assert "Traceback" not in err and not (tmp_path / "executed").exists()


def test_unknown_parameter_lists_the_known_ones(capsys, tmp_path):
    status = cli.main(["build", "--root", str(ROOT), "--out", str(tmp_path), "-p", "sigmaa", "1"])
    err = capsys.readouterr().err
    assert status == 2 and "unknown parameter(s) sigmaa" in err and "noise_std" in err


def test_values_are_read_as_yaml(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(cli, "build", lambda params, **kwargs: seen.update(params) or tmp_path / "r.pdf")
    params_file = tmp_path / "p.yaml"
    params_file.write_text("epochs: 3\nsigmas: [0.0, 1.0]\n")
    assert cli.main(["build", "--params", str(params_file), "-p", "noise_std", "0.5", "-p", "smoke", "true"]) == 0
    assert seen == {"epochs": 3, "sigmas": [0.0, 1.0], "noise_std": 0.5, "smoke": True}


def test_unreadable_params_file_exits_2(capsys, tmp_path):
    status = cli.main(["build", "--params", str(tmp_path / "missing.yaml")])
    assert status == 2 and "missing.yaml" in capsys.readouterr().err


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "glo_lib.reporting.cli", "build", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert "--smoke" in out and "--params" in out


def test_params_lists_every_notebook_parameter(capsys):
    assert cli.main(["params", "--root", str(ROOT)]) == 0
    out = capsys.readouterr().out
    header, _, *rows = out.splitlines()
    assert [c.strip() for c in header.strip("|").split("|")] == ["parameter", "default", "type", "notebooks", "meaning"]
    sigmas = next(r for r in rows if r.startswith("| sigmas "))
    assert "[0.0, 0.1, 0.3, 0.7, 1.0]" in sigmas and "| list " in sigmas and "| 02 " in sigmas  # 05 reads 02's table
    assert any(r.startswith("| data_root ") and "01, 02, 03, 04, 05, 06, 07" in r for r in rows)
    assert any(r.startswith("| judge_epochs ") and "02, 03, 04, 05, 06" in r for r in rows)


@pytest.mark.skipif(not SYSTEM_FOLDERS["fashion-mnist"].is_dir(),
                    reason="Debian's dataset-fashion-mnist is not installed (make test installs it)")
def test_data_says_where_the_files_are(capsys):
    assert cli.main(["data", "fashion-mnist"]) == 0
    assert f"IDX files found in {SYSTEM_FOLDERS['fashion-mnist']}" in capsys.readouterr().out


def test_missing_data_is_a_usage_error_and_nothing_downloads(capsys, tmp_path):
    assert cli.main(["data", "mnist", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "data_root=" in err and str(tmp_path / "MNIST" / "raw") in err
    assert "glo-report data mnist --download" in err
    assert list(tmp_path.iterdir()) == []  # nothing fetched unless asked


def test_an_unreachable_scheduler_is_named_before_any_work(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_mod, "CONNECT_TIMEOUT_S", 1.0)
    monkeypatch.setenv(sweep_mod.SCHEDULER_ENV, "")  # recorded: undone after the test whatever happens
    monkeypatch.delenv(sweep_mod.SCHEDULER_ENV)
    sweep_mod.dask_executor.cache_clear()
    status = cli.main(["build", "--root", str(ROOT), "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    sweep_mod.dask_executor.cache_clear()
    err = capsys.readouterr().err
    assert status == 2 and "--scheduler: no Dask scheduler answers at 'tcp://127.0.0.1:9'" in err
    assert sweep_mod.SCHEDULER_ENV not in os.environ and not (tmp_path / "executed").exists()
