"""Build the PDF report: run every notebook with papermill, merge, convert with nbconvert
(and write the same merged notebook as the HTML edition beside the PDF: ``html.py``).

A failing notebook stops the build with the notebook and cell named; the PDF is written
under a temporary name and renamed into place, so a failed build never replaces a good one.
"""
from __future__ import annotations

import ast
import datetime as _dt
import fcntl
import functools
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

import nbformat
import pandas as pd
import papermill
import psutil
from jupyter_client.manager import AsyncKernelManager
from nbconvert import PDFExporter
from traitlets import default

from .. import atomic, paths
from ..core.config import GLOConfig
from ..core.data import check_source
from ..core.sweep import IN_PROCESS, SCHEDULER_ENV, TRAINED_LOG, trained_places
from ..results import NOTEBOOK_ENV, clear_tables
from ..studies import loss_study
from ..studies.settings import (NOTEBOOK_SETTINGS, SMOKE_HELP, LossStudySettings, build_settings,
                                notebook_fields, cell_literal, cell_type)
from ..version import __version__
from .display import HEADING_LABEL, KINDS, REF, REF_LIKE, check_label
from . import stamp
from .html import HTML_NAME, to_html_if_changed
from .notebook_cache import READS_LOG, NotebookCache, log_for, parameterized, reads_logged, tables_in

PDF_NAME = "glo_report.pdf"
#: the file in the build folder where the notebooks' sweeps note where each run trained ($GLO_TRAINED_LOG)
TRAINED_RUNS = ".trained_runs.log"


class BuildError(RuntimeError):
    """The report could not be built; the message says where and why."""


class UsageError(BuildError):
    """The build was asked for something it cannot do (a bad parameter): nothing was run."""

    def __init__(self, message: str, parameter: Optional[str] = None):
        super().__init__(message)
        self.parameter = parameter  # the parameter at fault, when one is


#: seconds a killed kernel or sweep worker gets to exit before it is killed outright
KILL_GRACE_S = 0.5


def project_root(start: Optional[Path] = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``notebooks/`` and ``report/``."""
    try:
        return paths.project_root(start)
    except paths.ProjectNotFound as err:
        raise BuildError(str(err)) from None


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and default values of a notebook's ``parameters`` cell."""
    return {name: _literal(p["default"]) for name, p in _inspect(str(path), path.stat().st_mtime_ns).items()}


@functools.lru_cache(maxsize=64)
def _inspect(path: str, mtime_ns: int) -> dict[str, dict[str, Any]]:
    # papermill parses the notebook each time; a notebook is re-read only when it changed
    return papermill.inspect_notebook(path)


def _literal(text: str) -> Any:
    # papermill reports defaults as source text; the parameters cell holds literals only
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def check_notebook(notebook: Path, params: Mapping[str, Any]) -> None:
    """Every parameter of one notebook, checked by building the settings objects the notebook
    itself builds, and the data files it will read (it runs in its own folder: relative paths
    start there)."""
    cfg = GLOConfig.from_params(params, smoke=params.get("smoke", False))
    check_source(cfg, base=notebook.parent)
    built = build_settings(notebook.stem, params) if notebook.stem in NOTEBOOK_SETTINGS else {}
    if LossStudySettings in built:
        loss_study.require_feature_net(cfg, built[LossStudySettings].losses)


def parameter_table(root: Path) -> pd.DataFrame:
    """One row per parameter of any notebook: name, default, type, the notebooks taking it and its
    meaning, all read from the settings classes the notebooks build."""
    rows: dict[str, dict[str, Any]] = {}
    notebooks = sorted(nb.stem for nb in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for stem in notebooks:
        if stem not in NOTEBOOK_SETTINGS:
            continue
        for name, (cls, default, meaning) in {**notebook_fields(stem), "smoke": (None, False, SMOKE_HELP)}.items():
            row = rows.setdefault(name, {"parameter": name, "default": cell_literal(default),
                                         "type": cell_type(default), "notebooks": [], "meaning": meaning})
            row["notebooks"].append(stem[:2])
    table = pd.DataFrame(rows.values())
    table["notebooks"] = table["notebooks"].map(", ".join)
    return table


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
        raise UsageError(f"unknown parameter(s) {', '.join(unknown)}; the notebooks take: "
                         f"{', '.join(sorted(known))} (glo-report params lists them)", unknown[0])
    for nb, defaults in declared.items():
        merged = {**defaults, **{k: v for k, v in params.items() if k in defaults}}
        try:
            check_notebook(nb, merged)
        except (ValueError, FileNotFoundError) as err:
            raise UsageError(f"{nb.name}: {err}", getattr(err, "name", None)) from None
    return {nb: {k: v for k, v in params.items() if k in defaults} for nb, defaults in declared.items()}


def build(params: Optional[Mapping[str, Any]] = None, smoke: bool = False,
          root: Optional[Path] = None, out_dir: Optional[Path] = None, progress: bool = True,
          reuse: bool = True) -> Path:
    """Execute the notebooks in order and write the PDF report; returns its path.

    With ``reuse`` a notebook whose code, parameters, library and input tables are unchanged is
    taken from the notebook cache instead of run, and the PDF is rebuilt only when its input changed."""
    root = project_root(root)
    out_dir = Path(out_dir or root / "report" / "build")
    params = dict(params or {})
    if smoke:
        params["smoke"] = True
    if isinstance(params.get("data_root"), str) and params["data_root"]:
        # notebooks run in notebooks/: a relative folder means one relative to where the user is
        params["data_root"] = str(Path(params["data_root"]).expanduser().resolve())
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise BuildError(f"no notebooks (NN_name.ipynb) in {root / 'notebooks'}")
    check_tools()
    per_notebook = plan(params, notebooks)
    executed_dir = out_dir / "executed"
    with _exclusive(out_dir), _stop_children_on_signal(), _build_environment(out_dir):
        executed_dir.mkdir(parents=True, exist_ok=True)
        clear_tables(out_dir)  # measures of an earlier build must not leak into this one
        (out_dir / TRAINED_RUNS).unlink(missing_ok=True)  # and its runs are not this one's
        cache = NotebookCache() if reuse else None
        executed, before, begin, report = [], _cached_runs(), time.perf_counter(), []
        for k, nb in enumerate(notebooks, 1):
            start = time.perf_counter()
            _say(progress, f"[{k}/{len(notebooks)}] {nb.stem} ...")
            how = run_or_reuse(nb, executed_dir / nb.name, per_notebook[nb], out_dir, cache, progress)
            executed.append(executed_dir / nb.name)
            report.append((nb.stem, how, time.perf_counter() - start))
            _say(progress, f"[{k}/{len(notebooks)}] {nb.stem} {how} in {report[-1][2]:.1f} s")
        merged = merge(executed)
        save_printed_tables(merged, out_dir)
        pdf, rebuilt = to_pdf_if_changed(merged, out_dir / PDF_NAME, root / "report" / "template",
                                         force=not reuse)
        html = to_html_if_changed(merged, out_dir / HTML_NAME, root / "report" / "template", force=not reuse)
        trained = trained_where(set(_cached_runs().items()) - set(before.items()), out_dir / TRAINED_RUNS)
        _say(progress, summary(report, rebuilt, trained, pdf, time.perf_counter() - begin,
                               os.environ.get(SCHEDULER_ENV) or None, html))
        return pdf


def run_or_reuse(notebook: Path, output: Path, params: Mapping[str, Any], build_folder: Path,
                 cache: Optional[NotebookCache], progress: bool = True) -> str:
    """Run one notebook into ``output``, or take it from ``cache`` when nothing it depends on
    changed; returns "executed" or "reused"."""
    source = parameterized(notebook, dict(params))
    if cache is not None:
        hit = cache.lookup(source, build_folder)
        if hit is not None:
            atomic.write_bytes(output, nbformat.writes(hit).encode())
            return "reused"
    tables_before, log = tables_in(build_folder), log_for(notebook, build_folder)
    execute(notebook, output, params, progress)
    reads = reads_logged(log)
    log.unlink(missing_ok=True)
    if cache is not None:
        written = [p for p, sha in tables_in(build_folder).items() if tables_before.get(p) != sha]
        cache.store(source, nbformat.read(str(output), as_version=4), build_folder, reads, written)
    return "executed"


def summary(report: list[tuple[str, str, float]], pdf_rebuilt: bool, trained: Mapping[str, int], pdf: Path,
            seconds: float, scheduler: Optional[str] = None, html: Optional[tuple[Path, bool]] = None) -> str:
    """The build's last lines: each notebook executed or reused and its time, how many runs were
    trained and where (``trained``: {place: runs}), the Dask scheduler sweeps were sent to, the PDF
    (and the HTML edition: its path, whether it was rebuilt)."""
    lines = [f"  {stem:<22} {how:<9} {s:7.1f} s" for stem, how, s in report]
    n_run = sum(how == "executed" for _, how, _ in report)
    made = f"PDF {'rebuilt' if pdf_rebuilt else 'unchanged'}"
    if html:
        made += f", HTML {'rebuilt' if html[1] else 'unchanged'}"
    lines.append(f"{len(report)} notebooks ({n_run} executed, {len(report) - n_run} reused from the notebook "
                 f"cache), {made}, in {seconds:.1f} s; "
                 f"{sum(trained.values())} run(s) trained into {paths.cache_dir()}, every other run loaded from it")
    places = dict(trained)
    if scheduler:  # the cluster is named even when every run came from the cache
        lines.append(f"sweeps were sent to the Dask scheduler at {scheduler} (--scheduler, ${SCHEDULER_ENV})")
        if not any(place.startswith("the Dask cluster") for place in places):
            places[f"the Dask cluster at {scheduler}"] = 0
    if any(places.values()) or scheduler:
        lines.append("where they trained: " + ", ".join(f"{n} {_where(place)}" for place, n in
                                                        sorted(places.items(), key=lambda item: -item[1])))
    lines.append(f"the report: {pdf}" + (f" and {html[0]}" if html else ""))
    return "\n".join(lines)


def _where(place: str) -> str:
    if place == IN_PROCESS:  # a sweep's own process, in a build: the kernel running its notebook
        return "in the notebook kernels themselves"
    return f"{'on' if place.startswith('the Dask cluster') else 'in'} {place}"


def trained_where(new_runs: set[tuple[str, int]], log: Path) -> dict[str, int]:
    """{place: how many of ``new_runs`` (name, model time) trained there}, from the places the sweeps
    logged; a run no sweep logged was trained by a notebook kernel itself (``train_or_load``)."""
    logged = trained_places(log)
    places: dict[str, int] = {}
    for name, _ in new_runs:
        place = logged.get(name, IN_PROCESS)
        places[place] = places.get(place, 0) + 1
    return places


@contextmanager
def _build_environment(out_dir: Path) -> Iterator[None]:
    """What the kernels read from their environment during a build, removed afterwards."""
    names = {"GLO_REPORT_BUILD": "1", "GLO_BUILD_DIR": str(out_dir.resolve()),
             TRAINED_LOG: str((out_dir / TRAINED_RUNS).resolve())}
    saved = {k: os.environ.get(k) for k in (*names, READS_LOG)}
    os.environ.update(names)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cached_runs() -> dict[str, int]:
    """Each cached run's name and the time its model was written: what a build trained shows as new."""
    return {f.parent.name: f.stat().st_mtime_ns for f in (paths.cache_dir() / "runs").glob("[!.]*/model.pt")}


def _say(progress: bool, line: str) -> None:
    if progress:
        print(line, flush=True)


@contextmanager
def _exclusive(out_dir: Path) -> Iterator[None]:
    """One build at a time per build folder: a second one would delete the first one's tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is writing to {out_dir}; wait for it to finish, "
                             "or give this one its own folder with --out") from None
        yield


@contextmanager
def _stop_children_on_signal() -> Iterator[None]:
    """Ctrl-C (SIGINT) or SIGTERM stops the build at once.

    A kernel runs in its own process group, so Ctrl-C never reaches it, and papermill waits for
    the running cell to end; instead the kernel and any sweep workers are stopped here, then
    KeyboardInterrupt unwinds the build (the previous PDF stays, finished runs stay cached).
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    before = {p.pid for p in psutil.Process().children(recursive=True)}

    def stop(signum, frame):
        _stop_children(before)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _stop_children(before)  # whatever happened, no kernel outlives its build


def _stop_children(keep: set[int]) -> None:
    """Stop the processes this build started (kernels, sweep workers), not those in ``keep``."""
    children = [p for p in psutil.Process().children(recursive=True) if p.pid not in keep]
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(children, timeout=KILL_GRACE_S)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


class LocalKernelManager(AsyncKernelManager):
    """Kernels the build starts talk to it over Unix sockets (IPC), not TCP: nothing listens on a
    port, and the kernel has no reason to warn about unencrypted TCP into the build's output."""

    @default("transport")
    def _transport(self) -> str:
        return "ipc"

    @default("ip")
    def _ip(self) -> str:
        # the socket files' prefix; the manager removes the files when the kernel stops
        return os.path.join(tempfile.gettempdir(), f"glo-kernel-{uuid.uuid4().hex[:12]}")


def execute(notebook: Path, output: Path, params: Mapping[str, Any], progress: bool = True) -> Path:
    """Run one notebook with papermill; a failure names the notebook and the cell. Its kernel
    knows which notebook it runs (``results.NOTEBOOK_ENV``: only a table's owner may write it)."""
    before = os.environ.get(NOTEBOOK_ENV)
    os.environ[NOTEBOOK_ENV] = notebook.stem
    try:
        papermill.execute_notebook(str(notebook), str(output), parameters=dict(params),
                                   cwd=str(notebook.parent), progress_bar=progress,
                                   kernel_name="python3", kernel_manager_class=LocalKernelManager)
    except papermill.PapermillExecutionError as err:
        raise BuildError(f"{notebook.name} failed in cell {err.exec_count} "
                         f"(cell index {err.cell_index}): {err.ename}: {err.evalue}; "
                         f"the executed notebook is {output}") from None
    finally:
        if before is None:
            os.environ.pop(NOTEBOOK_ENV, None)
        else:
            os.environ[NOTEBOOK_ENV] = before
    return output


def merge(paths: list[Path]) -> nbformat.NotebookNode:
    """One notebook of every executed notebook's prose and outputs, without code or logs, its
    cross-references resolved (``resolve_references``: "[Table](#tab:regimes)" becomes "Table 8").
    Each cell notes the notebook it came from (metadata ``notebook``)."""
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
            cell.setdefault("metadata", {})["notebook"] = path.name
            merged.cells.append(cell)
    resolve_references(merged)
    merged.metadata.update({
        "title": "Generative Latent Optimization on MNIST",
        "subtitle": "class and content codes, the first stage of LORD",
        "build_note": f"every number, table and figure computed by the build (glo-report {__version__})",
        "date": _dt.date.today().isoformat(),
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    return merged


# --- cross-references (the syntax: display.py's docstring) -----------------------------------

class CrossReferenceError(BuildError):
    """A reference to a label that nothing defines, a label defined twice, or a malformed label."""


#: the order in which nbconvert's LaTeX exporter picks the one representation of an output it prints
LATEX_PRIORITY = ("text/latex", "application/pdf", "image/png", "image/jpeg", "image/svg+xml",
                  "text/markdown", "text/plain")
#: an ATX heading (pandoc's: a space after the hashes), and a fenced code block's fence
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
#: the heading levels LaTeX numbers (article: section, subsection, subsubsection), as html.NUMBERED
NUMBERED_LEVELS = 3
#: a float environment in an output's LaTeX, and what the report calls it
LATEX_FLOAT = re.compile(r"\\begin\{(figure|table)\*?\}")
ENVIRONMENTS = {"figure": "Figure", "table": "Table"}
#: the text representations of an output in which references are rewritten
TEXT_TYPES = ("text/markdown", "text/latex", "text/plain", "text/html")


@dataclass(frozen=True)
class Target:
    """Something the report numbers: a float or a numbered section, with its label if it has one."""

    name: str  # as printed: "Figure 7", "Table 3", "Section 6.1"
    notebook: str  # the notebook that shows it
    label: Optional[str] = None


def _shown_as(output) -> Optional[str]:
    """The representation of ``output`` the LaTeX template prints (None: nothing it prints)."""
    return next((t for t in LATEX_PRIORITY if t in output.get("data", {})), None)


def _markdown_lines(text: str) -> Iterator[tuple[int, str]]:
    """(index, line) of the lines of Markdown ``text`` outside fenced code blocks."""
    fence = None
    for i, line in enumerate(text.split("\n")):
        mark = FENCE.match(line)
        if mark and (fence is None or (mark[1][0] == fence[0] and len(mark[1]) >= len(fence))):
            fence = mark[1] if fence is None else None
        elif fence is None:
            yield i, line


def targets(nb: nbformat.NotebookNode) -> list[Target]:
    """Every figure, table and numbered section of ``nb`` (a merged notebook), in document order,
    numbered as LaTeX numbers them in the PDF (report/template/glo): a figure is an output the
    template prints from its PDF or PNG with a caption; a table, each ``table`` environment of an
    output printed from its LaTeX (``display.show_table``); a section, a heading of levels 1 to 3
    (Markdown cells and generated Markdown). Figures and tables are counted through the whole
    report, as the article class does. A float's label is its output's metadata ``label``, a
    heading's its anchor (``<a id="sec:..."></a>``)."""
    found, count, sections = [], {"Figure": 0, "Table": 0}, [0] * NUMBERED_LEVELS
    for cell in nb.cells:
        notebook = cell.get("metadata", {}).get("notebook", "the report")
        texts = [cell.source] if cell.cell_type == "markdown" else []
        for out in cell.get("outputs", []):
            shown, meta = _shown_as(out), out.get("metadata", {})
            floats = []
            if shown in ("application/pdf", "image/png") and meta.get("caption"):
                floats = ["Figure"]
            elif shown == "text/latex":
                floats = [ENVIRONMENTS[env] for env in LATEX_FLOAT.findall(out["data"]["text/latex"])]
            elif shown == "text/markdown":
                texts.append(out["data"]["text/markdown"])
            label = meta.get("label")
            if label is not None:
                kind = KINDS.get(str(label).split(":", 1)[0])
                if len(floats) != 1 or floats[0] != kind:
                    raise CrossReferenceError(f"{notebook}: label {label!r} is on an output that is not one "
                                              f"{(kind or 'figure or table').lower()} of the report")
            for k, kind in enumerate(floats):
                count[kind] += 1
                found.append(Target(f"{kind} {count[kind]}", notebook, label if k == 0 else None))
        for text in texts:  # a Markdown cell, and Markdown a code cell printed: their headings are sections
            for _, line in _markdown_lines(text):
                heading = HEADING.match(line)
                if heading is None or len(heading[1]) > NUMBERED_LEVELS:
                    continue
                level = len(heading[1]) - 1
                sections[level:] = [sections[level] + 1] + [0] * (NUMBERED_LEVELS - level - 1)
                anchor = HEADING_LABEL.search(heading[2])
                found.append(Target("Section " + ".".join(map(str, sections[:level + 1])), notebook,
                                    anchor[1] if anchor else None))
    return found


#: the folder of the build where every table the report prints is saved, numbered as the PDF numbers it
PRINTED_TABLES = "tables"


def printed_tables(nb: nbformat.NotebookNode) -> dict[str, pd.DataFrame]:
    """Every table the report prints (``display.show_table``'s Markdown and LaTeX bundle), in
    document order, as a DataFrame of its printed cells (text, as printed), keyed "table-3" by its
    number in the PDF (a LaTeX output that is not a show_table has no Markdown and is skipped)."""
    tables, count = {}, 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if _shown_as(out) != "text/latex":
                continue
            n = LATEX_FLOAT.findall(out["data"]["text/latex"]).count("table")
            markdown = out["data"].get("text/markdown", "")
            count += n
            rows = [line for line in markdown.split("\n") if line.startswith("|")]
            if n == 1 and len(rows) >= 2:
                cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in rows]
                tables[f"table-{count}"] = pd.DataFrame(cells[2:], columns=cells[0])  # cells[1]: the rule
    return tables


def save_printed_tables(nb: nbformat.NotebookNode, out_dir: Path) -> Path:
    """``printed_tables`` as ``<out_dir>/tables/table-N.csv`` (each written whole), older ones removed."""
    folder = Path(out_dir) / PRINTED_TABLES
    folder.mkdir(parents=True, exist_ok=True)
    tables = printed_tables(nb)
    for old in folder.glob("table-*.csv"):
        if old.stem not in tables:
            old.unlink()
    for name, table in tables.items():
        atomic.write_bytes(folder / f"{name}.csv", table.to_csv(index=False).encode())
    return folder


def labels(nb: nbformat.NotebookNode) -> dict[str, Target]:
    """label -> what it numbers; a label defined twice, or not a label, raises CrossReferenceError."""
    by_label: dict[str, Target] = {}
    problems = []
    for target in targets(nb):
        if target.label is None:
            continue
        try:
            kind = check_label(target.label)
        except ValueError as err:
            problems.append(f"{target.notebook}: {err}")
            continue
        if not target.name.startswith(KINDS[kind]):
            problems.append(f"{target.notebook}: label {target.label!r} is on {target.name}, "
                            f"not a {KINDS[kind].lower()}")
        elif target.label in by_label:
            first = by_label[target.label]
            problems.append(f"label {target.label!r} is defined twice: by {first.notebook} ({first.name}) and by "
                            f"{target.notebook} ({target.name})")
        else:
            by_label[target.label] = target
    if problems:
        raise CrossReferenceError("cross-references: " + "; ".join(problems))
    return by_label


def resolve_references(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Rewrite, in place, every reference of ``nb`` (``[Table](#tab:regimes)``, display.py) to the
    number of what its label names ("Table 8"), in Markdown cells, in the text of outputs and in
    captions, and drop the headings' anchors; ``nb.metadata["labels"]`` keeps what each label became.
    A reference to a label nothing defines, a label defined twice and anything left looking like a
    reference fail with CrossReferenceError, naming the label and the notebook."""
    known = labels(nb)
    problems: list[str] = []
    missing: dict[str, list[str]] = {}  # notebook -> the labels it refers to that nothing defines

    def resolve(text: str, notebook: str) -> str:
        def number(ref: re.Match) -> str:
            target = known.get(ref[2])
            if target is None:
                missing.setdefault(notebook, [])
                if ref[2] not in missing[notebook]:
                    missing[notebook].append(ref[2])
                return ref[0]
            return target.name
        rest = REF.sub("", text)  # what is not a reference must not look like one
        for bad in REF_LIKE.finditer(rest):
            near = rest[max(0, bad.start() - 30):bad.end() + 30]
            problems.append(f"{notebook} has a malformed reference near {near!r} (write [Table](#tab:name), "
                            "the name in lowercase letters, digits and hyphens)")
        for anchor in HEADING_LABEL.finditer(rest):
            problems.append(f"{notebook}: the label {anchor[1]!r} is not at the end of a heading of levels 1 to "
                            f"{NUMBERED_LEVELS} (# to {'#' * NUMBERED_LEVELS}), the sections the report numbers")
        return REF.sub(number, text)

    def unanchored(text: str) -> str:
        lines = text.split("\n")
        for i, line in _markdown_lines(text):
            heading = HEADING.match(line)
            if heading and len(heading[1]) <= NUMBERED_LEVELS:
                lines[i] = HEADING_LABEL.sub("", line)
        return "\n".join(lines)

    for cell in nb.cells:
        notebook = cell.get("metadata", {}).get("notebook", "the report")
        if cell.cell_type == "markdown":
            cell.source = resolve(unanchored(cell.source), notebook)
        for out in cell.get("outputs", []):
            data, meta = out.get("data", {}), out.get("metadata", {})
            for kind in TEXT_TYPES:
                if isinstance(data.get(kind), str):
                    data[kind] = resolve(unanchored(data[kind]) if kind == "text/markdown" else data[kind], notebook)
            if isinstance(meta.get("caption"), str):
                meta["caption"] = resolve(meta["caption"], notebook)
    if missing:
        problems.insert(0, "no figure, table or section of the report has the label "
                        + "; ".join(f"{', '.join(map(repr, found))} that {notebook} refers to"
                                    for notebook, found in missing.items())
                        + f" (the labels defined: {', '.join(sorted(known)) or 'none'})")
    if problems:
        raise CrossReferenceError("unresolved cross-references: " + "; ".join(dict.fromkeys(problems)))
    nb.metadata["labels"] = {label: target.name for label, target in known.items()}  # what each became
    return nb


def _keep(output) -> bool:
    # stderr, progress bars, warnings and bare reprs are for the notebook, not the report
    if output.output_type not in ("display_data", "execute_result"):
        return False
    # a progress bar is a widget whose text/plain fallback would be printed as-is
    return not set(output.get("data", {})) <= {"text/plain", "application/vnd.jupyter.widget-view+json"}


def to_pdf_if_changed(nb: nbformat.NotebookNode, target: Path, template_dir: Path,
                      force: bool = False) -> tuple[Path, bool]:
    """``to_pdf`` unless the PDF at ``target`` was made from this very notebook and template
    (a checksum beside it says); returns the PDF and whether it was rebuilt."""
    return stamp.remake_if_changed(nb, target, stamp.files_under(template_dir),
                                   lambda: to_pdf(nb, target, template_dir), force)


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
