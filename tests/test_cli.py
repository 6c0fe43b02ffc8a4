"""The command line: `glo-report build` with parameters, and its answers to mistakes."""
import subprocess
import sys


from conftest import ROOT
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
    assert "[0.0, 0.1, 0.3, 0.7, 1.0]" in sigmas and "| list " in sigmas and "02, 05" in sigmas
    assert any(r.startswith("| data_root ") and "01, 02, 03, 04, 05" in r for r in rows)
