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
    executed = [nbformat.read(str(nb), as_version=4) for nb in sorted((out / "executed").glob("*.ipynb"))]
    datasets = [nb.metadata.papermill.parameters.get("dataset") for nb in executed]
    assert datasets.count("fashion-mnist") >= 6 and set(datasets) <= {"fashion-mnist", None}  # 07 takes no data
    outputs = " ".join(str(o) for nb in executed for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", []))
    assert "Traceback" not in outputs
    assert "images of 10 classes (T-shirt/top, Trouser, Pullover" in text  # the data, named
