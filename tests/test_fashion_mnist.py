"""Fashion-MNIST end to end: the smoke report built by the real command with ``-p dataset
fashion-mnist``, reading Debian's gzipped files where the package put them (slow: minutes)."""
import subprocess

import nbformat
import pytest

from conftest import ROOT
from glo_lib.core.data import SYSTEM_FOLDERS
from glo_lib.reporting.cli import main

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not SYSTEM_FOLDERS["fashion-mnist"].is_dir(),
                                 reason="Debian's dataset-fashion-mnist is not installed (make test installs it)")]


def test_the_smoke_report_builds_on_fashion_mnist(tmp_path, capsys):
    out = tmp_path / "build"
    assert main(["build", "--smoke", "-p", "dataset", "fashion-mnist", "--out", str(out)]) == 0
    pdf = out / "glo_report.pdf"
    assert f"wrote {pdf}" in capsys.readouterr().out
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "(fashion-mnist)" in text  # Table 1, read from the config the notebooks ran
    executed = sorted((out / "executed").glob("*.ipynb"))
    assert executed and all(nbformat.read(str(nb), as_version=4).metadata.papermill.parameters["dataset"]
                            == "fashion-mnist" for nb in executed)
    outputs = " ".join(str(o) for nb in executed for c in nbformat.read(str(nb), as_version=4).cells
                       if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in outputs
