"""End to end: the real notebooks, executed by papermill in smoke mode, into a real PDF."""
import re
import shutil
import subprocess

import nbformat
import pytest

from conftest import ROOT
from glo_lib.reporting.build import BuildError, UsageError, build, plan

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def built(built_report):
    return built_report  # one smoke PDF per session, shared with test_pdf


def test_pdf_has_pages_and_images(built):
    pdf, _ = built
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(l for l in info.splitlines() if l.startswith("Pages:")).split()[1])
    assert pages >= 3
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) >= 4
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Contents" in text and "Figure 1" in text
    assert "import glo_lib" not in text  # code is hidden


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_reaches_the_pdf(built, path):
    pdf, out = built
    nb = nbformat.read(str(out / "executed" / path.name), as_version=4)
    assert nb.metadata.papermill.parameters.get("smoke") is True
    # the notebook ran to its last cell, and its section is in the PDF
    assert nb.cells[-1].get("execution_count") is not None or nb.cells[-1].cell_type == "markdown"
    heading = next(c.source for c in nb.cells if c.cell_type == "markdown").splitlines()[0].lstrip("# ")
    heading = re.sub(r"\s*<a id=\"[^\"]*\"></a>", "", heading)  # a section's label is no text
    assert heading in _pdf_text(pdf)


def _pdf_text(pdf):
    return " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_bad_parameter_fails_before_any_work(tmp_path):
    with pytest.raises(BuildError, match="noise_std must be a finite number >= 0"):
        build({"noise_std": -1}, root=ROOT, out_dir=tmp_path)
    with pytest.raises(BuildError, match="unknown parameter.*sigmaa"):
        build({"sigmaa": 1}, root=ROOT, out_dir=tmp_path)
    assert not (tmp_path / "executed").exists()


def test_failing_notebook_is_named_and_good_pdf_kept(built, tmp_path):
    pdf, _ = built
    root = tmp_path / "project"
    shutil.copytree(ROOT / "report" / "template", root / "report" / "template")
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell("seed: int = 0  # seed\nsmoke: bool = False  # smoke",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise RuntimeError('the data ran out')")]
    (root / "notebooks").mkdir()
    nbformat.write(nb, str(root / "notebooks" / "01_fails.ipynb"))
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(pdf, out / "glo_report.pdf")
    with pytest.raises(BuildError, match=r"01_fails.ipynb failed in cell \d+ \(cell index 3\): RuntimeError: the data ran out"):
        build({"smoke": True}, root=root, out_dir=out, progress=False)
    assert (out / "glo_report.pdf").read_bytes() == pdf.read_bytes()


def test_missing_data_files_are_named_before_any_work(tmp_path):
    with pytest.raises(UsageError, match=r"01_setup.ipynb: data_root=.*dataset='mnist' needs the IDX files"):
        build({"smoke": True, "dataset": "mnist", "data_root": str(tmp_path)}, root=ROOT, out_dir=tmp_path / "b")
    assert not (tmp_path / "b" / "executed").exists()


def test_plan_passes_each_notebook_only_its_parameters():
    from glo_lib.reporting.build import notebook_parameters

    p = plan({"epochs": 3, "smoke": True}, NOTEBOOKS)
    for nb, given in p.items():
        declared = notebook_parameters(nb)
        assert given == {k: v for k, v in {"epochs": 3, "smoke": True}.items() if k in declared}
    assert p[NOTEBOOKS[0]] == {"epochs": 3, "smoke": True}
