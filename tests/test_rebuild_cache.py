"""Rebuilds redo only what changed: a notebook runs again when its code, its parameters, the library
or a table it reads changed, and is otherwise taken from the notebook cache (jupyter-cache);
the PDF is remade only when its input changed. Real papermill kernels, a real PDF."""
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from glo_lib.reporting.build import build, plan, run_or_reuse
from glo_lib.reporting.notebook_cache import NotebookCache

#: the writer is named as the owner of a declared table (glo_lib.results.TABLES): only it may write it
WRITER = ["from glo_lib.results import save_table", "import pandas as pd",
          "save_table('noise_verdicts', pd.DataFrame({'claim': ['c'], 'holds': [True], 'value': [scale], "
          "'sentence': ['s']}))"]
READER = ["from glo_lib.results import load_table", "from IPython.display import Markdown",
          "Markdown(f\"The second notebook read {int(load_table('noise_verdicts').value[0])}, called {label}.\")"]
LONER = ["from IPython.display import Markdown", "Markdown(f'The third notebook shows {other}.')"]


def _notebook(path: Path, parameters: str, code: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), cell, nbformat.v4.new_code_cell("\n".join(code))]
    nbformat.write(nb, str(path))


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "report" / "template", root / "report" / "template")
    (root / "notebooks").mkdir()
    _notebook(root / "notebooks" / "02_noise_study.ipynb", "scale: int = 1  # what the first notebook writes", WRITER)
    _notebook(root / "notebooks" / "03_second.ipynb", "label: str = 'b'  # a name", READER)
    _notebook(root / "notebooks" / "04_third.ipynb", "other: int = 0  # a number", LONER)
    monkeypatch.setenv("GLO_CACHE_DIR", str(tmp_path / "cache"))
    return root


def _pass(root: Path, params: dict, cache=None) -> dict[str, str]:
    """The build's notebook loop (without the PDF): each notebook executed or reused."""
    out = root / "report" / "build"
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    per = plan(params, notebooks)
    (out / "executed").mkdir(parents=True, exist_ok=True)
    cache = cache or NotebookCache()
    return {nb.stem[:2]: run_or_reuse(nb, out / "executed" / nb.name, per[nb], out, cache, progress=False)
            for nb in notebooks}


def test_unchanged_rebuild_reuses_every_notebook_and_the_pdf(project, capsys):
    pdf = build(root=project, progress=True)
    first = capsys.readouterr().out
    assert "3 executed, 0 reused" in first and "PDF rebuilt" in first and str(pdf) in first
    stamp = pdf.stat().st_mtime_ns
    assert build(root=project, progress=True) == pdf
    again = capsys.readouterr().out
    assert "0 executed, 3 reused" in again and "PDF unchanged" in again
    assert pdf.stat().st_mtime_ns == stamp
    # the tables a reused notebook wrote are back in the build folder
    assert (project / "report" / "build" / "noise_verdicts.csv").exists()
    text = nbformat.read(str(project / "report" / "build" / "executed" / "03_second.ipynb"), as_version=4)
    assert "read 1, called b" in str(text.cells[-1].outputs)
    build(root=project, progress=False, reuse=False)
    assert pdf.stat().st_mtime_ns != stamp  # --rerun remakes everything


def test_a_parameter_reruns_its_notebooks_and_those_reading_their_results(project):
    assert set(_pass(project, {}).values()) == {"executed"}
    assert _pass(project, {}) == {"02": "reused", "03": "reused", "04": "reused"}
    assert _pass(project, {"other": 1}) == {"02": "reused", "03": "reused", "04": "executed"}
    assert _pass(project, {"label": "x"}) == {"02": "reused", "03": "executed", "04": "reused"}
    # the first notebook's table changes: the second, which reads it, runs again; the third does not
    assert _pass(project, {"scale": 2}) == {"02": "executed", "03": "executed", "04": "reused"}
    executed = project / "report" / "build" / "executed" / "03_second.ipynb"
    assert "read 2, called b" in str(nbformat.read(str(executed), as_version=4).cells[-1].outputs)
    # back to the defaults: the first notebook is remembered per parameters; the second holds one
    # entry per code and parameters, the last one run (it read scale 2), so it runs again
    assert _pass(project, {}) == {"02": "reused", "03": "executed", "04": "reused"}


def test_changed_code_runs_again(project):
    _pass(project, {})
    path = project / "notebooks" / "04_third.ipynb"
    _notebook(path, "other: int = 0  # a number", LONER + ["print('one more line')"])
    assert _pass(project, {})["04"] == "executed"


def test_a_damaged_cache_entry_is_run_again(project):
    cache = NotebookCache()
    _pass(project, {}, cache)
    for stored in (cache.root / "executed").rglob("*.ipynb"):
        stored.write_text("{ not a notebook")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert set(_pass(project, {}, cache).values()) == {"executed"}
    assert any("damaged notebook cache entry" in str(w.message) for w in caught)
    assert set(_pass(project, {}, cache).values()) == {"reused"}
