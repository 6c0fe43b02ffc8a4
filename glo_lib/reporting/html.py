"""The HTML edition of the report: the merged notebook the PDF is made from, as one web page.

nbconvert's HTML exporter with our template (``report/template/glo_html``) writes the page; this
module then gives it what LaTeX gives the PDF: numbered sections (with a table of contents),
figures and tables numbered in the PDF's order, an anchor for each (``sec-6-1``, ``fig-3``,
``tab-2``) and links where the text names one ("see Table 2"). Figures are embedded as data URIs;
MathJax 2 (from the ``jupyter-server-mathjax`` package) is copied into ``<name>_files/mathjax/``
beside the page, so the page opens offline, straight from the disk.
"""
from __future__ import annotations

import copy
import re
import shutil
from importlib.metadata import version
from pathlib import Path

import jupyter_server_mathjax
import nbformat
from bs4 import BeautifulSoup, NavigableString
from nbconvert import HTMLExporter

from .. import atomic
from . import stamp

HTML_NAME = "glo_report.html"
#: our template for nbconvert's HTML exporter, a folder of the report's template folder
TEMPLATE = "glo_html"
MATHJAX = Path(jupyter_server_mathjax.__file__).parent / "static"
#: the combined configuration it ships, and the Safe extension nbconvert loads too
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
#: a table shown as Markdown ends with pandoc's caption line (display.show_table)
TABLE_CAPTION = re.compile(r"\n+Table: (.+?)\s*$", re.S)
#: the sections LaTeX numbers (article: section, subsection, subsubsection) and lists (tocdepth 1)
NUMBERED, LISTED = ("h1", "h2", "h3"), ("h1",)
#: what the text calls a section, figure or table, and the prefix of that thing's anchor
XREF = re.compile(r"\b(Section|Figure|Table)\s+(\d+(?:\.\d+)*)\b")
PREFIX = {"Section": "sec", "Figure": "fig", "Table": "tab"}
#: ``$...$`` and ``$$...$$``: MathJax's to typeset, so never split by a link
MATH = re.compile(r"(\$\$.+?\$\$|\$.+?\$)", re.S)
#: where a phrase stays plain text: links, code, headings (and the contents made from them), and
#: table cells, which hold names ("the Table 1 regime"), not prose
NO_LINKS = ("a", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6", "th", "td")


def mathjax_dir(target: Path) -> Path:
    """Where the page at ``target`` finds MathJax: ``<stem>_files/mathjax`` beside it."""
    return target.with_name(f"{target.stem}_files") / "mathjax"


def to_html_if_changed(nb: nbformat.NotebookNode, target: Path, template_dir: Path,
                       force: bool = False) -> tuple[Path, bool]:
    """``to_html`` unless the page at ``target`` was made from this very notebook, template, module
    and MathJax (a checksum beside it says, as for the PDF); returns the page and whether it was rebuilt."""
    made_from = [*stamp.files_under(Path(template_dir) / TEMPLATE), Path(__file__).read_bytes(),
                 version("jupyter-server-mathjax").encode()]
    return stamp.remake_if_changed(nb, target, made_from, lambda: to_html(nb, target, template_dir), force,
                                   whole=(mathjax_dir(target) / "MathJax.js").exists())


def to_html(nb: nbformat.NotebookNode, target: Path, template_dir: Path) -> Path:
    """Convert with our template, number and link the page, then copy MathJax beside it and write
    the page atomically: a failed conversion leaves the previous page as it was."""
    exporter = HTMLExporter(template_name=TEMPLATE, extra_template_basedirs=[str(template_dir)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            mathjax_url=f"{mathjax_dir(target).relative_to(target.parent).as_posix()}"
                                        f"/MathJax.js?config={MATHJAX_CONFIG}")
    page, _ = exporter.from_notebook_node(captioned_tables(nb), resources={"metadata": {"name": target.stem}})
    page = number_and_link(page)
    # the same files each time: a copy cut short is completed by the next build (the stamp is
    # written last), and the page is replaced whole
    shutil.copytree(MATHJAX, mathjax_dir(target), dirs_exist_ok=True)
    atomic.write_bytes(target, page.encode())
    return target


def captioned_tables(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose tables (Markdown and LaTeX bundles) keep only their Markdown, with the
    caption moved from pandoc's ``Table:`` line into the output's metadata, where figures keep theirs."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            found = "text/latex" in data and TABLE_CAPTION.search(data.get("text/markdown", ""))
            if found:
                data["text/markdown"] = data["text/markdown"][:found.start()]
                del data["text/latex"]
                out.setdefault("metadata", {})["caption"] = found.group(1)
    return nb


def number_and_link(page: str) -> str:
    """Number the sections, figures and tables as LaTeX does (each kind in the order of the
    page), give each its anchor, list the sections in the contents and link the text to them."""
    soup = BeautifulSoup(page, "html.parser")
    _number_sections(soup)
    for kind, css in (("Figure", "glo-figure"), ("Table", "glo-table")):
        for n, fig in enumerate(soup.select(f"figure.{css}"), 1):
            fig["id"] = f"{PREFIX[kind]}-{n}"
            caption = fig.figcaption.p or fig.figcaption
            caption.insert(0, " ")
            caption.insert(0, _tag(soup, "span", f"{kind} {n}:", "glo-label"))
    _link_references(soup)
    return str(soup)


def _number_sections(soup: BeautifulSoup) -> None:
    """Headings of the notebooks' Markdown numbered 1, 1.1, 1.1.1 with anchors sec-1-1-1; the
    first level listed in the contents, as in the PDF."""
    counters = [0] * len(NUMBERED)
    for heading in soup.select(", ".join(f".jp-Cell {h}" for h in NUMBERED)):
        level = NUMBERED.index(heading.name)
        counters[level:] = [counters[level] + 1] + [0] * (len(NUMBERED) - level - 1)
        number = ".".join(map(str, counters[:level + 1]))
        heading["id"] = f"sec-{number.replace('.', '-')}"
        for anchor in heading.select("a.anchor-link"):
            anchor["href"] = f"#{heading['id']}"
        if heading.name in LISTED:
            words = "".join(s for s in heading.find_all(string=True) if not s.find_parent(class_="anchor-link"))
            link = _tag(soup, "a", words.strip())
            link["href"] = f"#{heading['id']}"
            link.insert(0, _tag(soup, "span", number, "glo-secnum"))
            item = soup.new_tag("li")
            item.append(link)
            soup.select_one("nav.glo-toc ol").append(item)
        heading.insert(0, _tag(soup, "span", number, "glo-secnum"))


def _tag(soup: BeautifulSoup, name: str, text: str, css: str = ""):
    tag = soup.new_tag(name, attrs={"class": css} if css else {})
    tag.string = text
    return tag


def _link_references(soup: BeautifulSoup) -> None:
    """Turn "Table 2", "Figure 5", "Section 6.1" in the text into links to their anchors, where the
    page has one; math, code, headings, table cells, existing links and a caption naming its own
    float stay as they are."""
    ids = {tag["id"] for tag in soup.select("[id]")}
    for text in list(soup.main.find_all(string=XREF)):
        if type(text) is not NavigableString or text.find_parent(NO_LINKS):
            continue  # comments, script bodies and the like are NavigableString subclasses
        own = {parent.get("id") for parent in text.parents}
        math = [m.span() for m in MATH.finditer(text)]
        pieces, done = [], 0
        for ref in XREF.finditer(text):
            target = f"{PREFIX[ref[1]]}-{ref[2].replace('.', '-')}"
            if target not in ids or target in own or any(a <= ref.start() < b for a, b in math):
                continue
            link = _tag(soup, "a", ref[0], "glo-xref")
            link["href"] = f"#{target}"
            pieces += [text[done:ref.start()], link]
            done = ref.end()
        if pieces:
            text.replace_with(*pieces, text[done:])
