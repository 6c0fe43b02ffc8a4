"""Build the PDF report: run every notebook with papermill, merge, convert with nbconvert.

A failing notebook stops the build with the notebook and cell named; the PDF is written
under a temporary name and renamed into place, so a failed build never replaces a good one.
"""
from __future__ import annotations

import ast
import datetime as _dt
import os
import shutil
from pathlib import Path
from typing import Any, Mapping, Optional

import nbformat
import papermill
from nbconvert import PDFExporter

from .. import atomic, paths
from ..core.config import GLOConfig
from ..results import clear_tables
from ..version import __version__

PDF_NAME = "glo_report.pdf"


class BuildError(RuntimeError):
    """The report could not be built; the message says where and why."""


def project_root(start: Optional[Path] = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``notebooks/`` and ``report/``."""
    try:
        return paths.project_root(start)
    except paths.ProjectNotFound as err:
        raise BuildError(str(err)) from None


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and default values of a notebook's ``parameters`` cell."""
    params = papermill.inspect_notebook(str(path))
    return {name: _literal(p["default"]) for name, p in params.items()}


def _literal(text: str) -> Any:
    # papermill reports defaults as source text; the parameters cell holds literals only
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def check_tools() -> None:
    """The PDF needs xelatex and pandoc on PATH."""
    missing = [t for t in ("xelatex", "pandoc") if shutil.which(t) is None]
    if missing:
        raise BuildError(f"{' and '.join(missing)} not found: install them (Debian/Ubuntu: apt-get install "
                         "texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc)")


def plan(params: Mapping[str, Any], notebooks: list[Path]) -> dict[Path, dict[str, Any]]:
    """Parameters for each notebook; unknown names and bad config values fail here, before any work."""
    declared = {nb: notebook_parameters(nb) for nb in notebooks}
    known = set().union(*declared.values()) if declared else set()
    unknown = sorted(set(params) - known)
    if unknown:
        raise BuildError(f"unknown parameter(s) {', '.join(unknown)}; the notebooks take: "
                         f"{', '.join(sorted(known))}")
    for nb, defaults in declared.items():
        merged = {**defaults, **{k: v for k, v in params.items() if k in defaults}}
        try:
            GLOConfig.from_params(merged)
        except ValueError as err:
            raise BuildError(f"{nb.name}: {err}") from None
    return {nb: {k: v for k, v in params.items() if k in defaults} for nb, defaults in declared.items()}


def build(params: Optional[Mapping[str, Any]] = None, smoke: bool = False,
          root: Optional[Path] = None, out_dir: Optional[Path] = None, progress: bool = True) -> Path:
    """Execute the notebooks in order and write the PDF report; returns its path."""
    root = project_root(root)
    out_dir = Path(out_dir or root / "report" / "build")
    params = dict(params or {})
    if smoke:
        params["smoke"] = True
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise BuildError(f"no notebooks (NN_name.ipynb) in {root / 'notebooks'}")
    check_tools()
    per_notebook = plan(params, notebooks)
    executed_dir = out_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    clear_tables(out_dir)  # measures of an earlier build must not leak into this one
    os.environ["GLO_REPORT_BUILD"] = "1"
    os.environ["GLO_BUILD_DIR"] = str(out_dir.resolve())
    executed = [execute(nb, executed_dir / nb.name, per_notebook[nb], progress) for nb in notebooks]
    return to_pdf(merge(executed), out_dir / PDF_NAME, root / "report" / "template")


def execute(notebook: Path, output: Path, params: Mapping[str, Any], progress: bool = True) -> Path:
    """Run one notebook with papermill; a failure names the notebook and the cell."""
    try:
        papermill.execute_notebook(str(notebook), str(output), parameters=dict(params),
                                   cwd=str(notebook.parent), progress_bar=progress,
                                   kernel_name="python3")
    except papermill.PapermillExecutionError as err:
        raise BuildError(f"{notebook.name} failed in cell {err.exec_count} "
                         f"(cell index {err.cell_index}): {err.ename}: {err.evalue}; "
                         f"the executed notebook is {output}") from None
    return output


def merge(paths: list[Path]) -> nbformat.NotebookNode:
    """One notebook of every executed notebook's prose and outputs, without code or logs."""
    merged = nbformat.v4.new_notebook()
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & {"parameters", "injected-parameters", "remove"}:
                continue
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if _keep(o)]
                if not cell.outputs:
                    continue
            merged.cells.append(cell)
    merged.metadata.update({
        "title": "Generative Latent Optimization on MNIST",
        "subtitle": "class and content codes, the first stage of LORD",
        "build_note": f"built by glo-report {__version__} from freshly executed notebooks",
        "date": _dt.date.today().isoformat(),
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    return merged


def _keep(output) -> bool:
    # stderr, progress bars, warnings and bare reprs are for the notebook, not the report
    if output.output_type not in ("display_data", "execute_result"):
        return False
    # a progress bar is a widget whose text/plain fallback would be printed as-is
    return not set(output.get("data", {})) <= {"text/plain", "application/vnd.jupyter.widget-view+json"}


def to_pdf(nb: nbformat.NotebookNode, target: Path, template_dir: Path) -> Path:
    """Convert with our LaTeX template, then move the PDF into place atomically."""
    exporter = PDFExporter(template_name="glo", extra_template_basedirs=[str(template_dir)],
                           exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    try:
        pdf, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "glo_report"}})
    except Exception as err:  # nbconvert raises LatexFailed and friends
        raise BuildError(f"LaTeX conversion failed: {str(err)[-2000:]}") from None
    atomic.write_bytes(target, pdf)
    return target
