"""Numbered cross-references (display.py's docstring): labels on figures, tables and headings, the
references prose writes as Markdown links, and the build's merge numbering them as LaTeX does.

Constructed notebooks check the numbering, the rewriting and the failures; the smoke build checks
that the report has no reference left unresolved, names no float that does not exist, numbers each
label as the PDF prints it, and refers to nothing by a notebook's name.
"""
from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from conftest import ROOT  # noqa: E402
from glo_lib.narrative import probe  # noqa: E402
from glo_lib.reporting import display  # noqa: E402
from glo_lib.reporting.build import CrossReferenceError, merge, targets  # noqa: E402
from glo_lib.reporting.html import HTML_NAME, to_html_if_changed  # noqa: E402
from glo_lib.reporting.proofread import named_references, report_parts  # noqa: E402

#: "Figure 3", "Table 12", "Section 6.1" as prose prints them
NUMBERED = re.compile(r"\b(Figure|Table|Section)\s+(\d+(?:\.\d+)*)\b")


# --- what show_figure and show_table carry ----------------------------------------------------

@pytest.fixture
def shown(monkeypatch):
    calls = []
    monkeypatch.setattr(display, "display", lambda *args, **kwargs: calls.append((args, kwargs)))
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    return calls


def test_a_label_travels_in_the_outputs_metadata(shown):
    display.show_figure(plt.figure(), "A figure.", label="fig:a-figure")
    display.show_table(pd.DataFrame({"a": [1.0]}), "A table.", label="tab:a-table")
    display.show_table(pd.DataFrame({"a": [1.0]}), "No label.")
    assert shown[0][1]["metadata"] == {"caption": "A figure.", "label": "fig:a-figure"}
    assert shown[1][1]["metadata"] == {"label": "tab:a-table"}
    assert "metadata" not in shown[2][1]  # unlabelled: as before


@pytest.mark.parametrize("call, label, words", [
    ("figure", "tab:regimes", "write 'fig:regimes'"), ("table", "fig:leakage", "write 'tab:leakage'"),
    ("table", "tab:Regimes", "lowercase"), ("table", "regimes", "is not a label"), ("figure", "fig:a_b", "hyphens")])
def test_a_wrong_label_stops_where_it_is_given(shown, call, label, words):
    with pytest.raises(ValueError, match=words):
        if call == "figure":
            display.show_figure(plt.figure(), "A figure.", label=label)
        else:
            display.show_table(pd.DataFrame({"a": [1.0]}), "A table.", label=label)
    assert not shown


def test_ref_writes_the_markdown_link():
    assert display.ref("tab:regimes") == "[Table](#tab:regimes)"
    assert display.ref("fig:leakage", "the figure") == "[the figure](#fig:leakage)"
    assert display.REF.fullmatch(display.ref("sec:probe"))


# --- merge: numbering as LaTeX does, rewriting, failing ---------------------------------------

def _figure(caption, label=None):
    meta = {"caption": caption, **({"label": label} if label else {})}
    return nbformat.v4.new_output("display_data", metadata=meta,
                                  data={"application/pdf": "JVBERg==", "image/png": "iVBORw0KGgo=",
                                        "text/plain": "<Figure>"})


def _table(caption, label=None):
    shown = []
    original = display.display
    display.display = lambda bundle, raw=False, metadata=None: shown.append((bundle, metadata))
    try:
        display.show_table(pd.DataFrame({"a": [1.5], "b": [2.5]}), caption, index=False, label=label)
    finally:
        display.display = original
    bundle, meta = shown[0]
    return nbformat.v4.new_output("display_data", data=bundle, metadata=meta or {})


def _said(text):
    return nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "<Markdown>"})


def _code(*outputs):
    cell = nbformat.v4.new_code_cell("shown()")
    cell.outputs = list(outputs)
    return cell


def _write(folder: Path, name: str, cells) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = folder / name
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def two_notebooks(tmp_path):
    """01 shows an unlabelled figure and table and refers forward to 02's floats; 02 labels its
    floats and a heading, and refers back."""
    first = _write(tmp_path, "01_first.ipynb", [
        nbformat.v4.new_markdown_cell("# First\n\nAs [Table](#tab:second) shows (and [the figure](#fig:second))."),
        _code(_figure("Unlabelled."), _table("Unlabelled too.")),
        nbformat.v4.new_markdown_cell("## Details\n\n```\n# not a heading\n```\n\nSee [Section](#sec:probe)."),
    ])
    second = _write(tmp_path, "02_second.ipynb", [
        nbformat.v4.new_markdown_cell('# Second <a id="sec:probe"></a>\n\nText.'),
        _code(_table("Caption naming [Figure](#fig:second).", label="tab:second"),
              _figure("Its caption names [Table](#tab:second) and [Section](#sec:probe).", label="fig:second"),
              _said("Generated: panel (b) of [Figure](#fig:second), [Table](#tab:second).")),
    ])
    return [first, second]


def test_merge_numbers_every_float_in_order_and_rewrites_the_references(two_notebooks):
    nb = merge(two_notebooks)
    assert nb.metadata["labels"] == {"tab:second": "Table 2", "fig:second": "Figure 2", "sec:probe": "Section 2"}
    assert [t.name for t in targets(nb)] == ["Section 1", "Figure 1", "Table 1", "Section 1.1", "Section 2",
                                             "Table 2", "Figure 2"]
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert md[0].endswith("As Table 2 shows (and Figure 2).")  # the kind from the label, not the link text
    assert md[1].endswith("See Section 2.")
    assert md[2].startswith("# Second\n")  # the heading's anchor is gone
    table, figure, said = nb.cells[-1].outputs
    assert "Table: Caption naming Figure 2." in table.data["text/markdown"]
    assert "\\caption{Caption naming Figure 2.}" in table.data["text/latex"]  # the escaped # of LaTeX too
    assert figure.metadata["caption"] == "Its caption names Table 2 and Section 2."
    assert said.data["text/markdown"] == "Generated: panel (b) of Figure 2, Table 2."
    assert all(c.metadata["notebook"] in ("01_first.ipynb", "02_second.ipynb") for c in nb.cells)


def test_the_html_edition_links_the_rewritten_references(two_notebooks, tmp_path):
    target, _ = to_html_if_changed(merge(two_notebooks), tmp_path / HTML_NAME, ROOT / "report" / "template")
    soup = BeautifulSoup(target.read_text(), "html.parser")
    links = {(a.get_text(), a["href"]) for a in soup.select("a.glo-xref")}
    assert {("Table 2", "#tab-2"), ("Figure 2", "#fig-2"), ("Section 2", "#sec-2")} <= links
    assert all(soup.find(id=href[1:]) for _, href in links)
    assert "sec:probe" not in target.read_text() and "#tab:" not in target.read_text()


def test_an_unresolved_reference_fails_naming_the_label_and_the_notebook(tmp_path):
    paths = [_write(tmp_path, "05_probe.ipynb", [nbformat.v4.new_markdown_cell("# A\n\nSee [Table](#tab:missing).")])]
    with pytest.raises(CrossReferenceError, match=r"no figure, table or section of the report has the label "
                                                  r"'tab:missing' that 05_probe\.ipynb refers to"):
        merge(paths)


def test_a_label_defined_twice_fails_naming_both_notebooks(tmp_path):
    paths = [_write(tmp_path, "05_probe.ipynb", [_code(_table("One.", label="tab:regimes"))]),
             _write(tmp_path, "06_encoders.ipynb", [_code(_table("Two.", label="tab:regimes"))])]
    with pytest.raises(CrossReferenceError, match=r"'tab:regimes' is defined twice: by 05_probe\.ipynb \(Table 1\) "
                                                  r"and by 06_encoders\.ipynb \(Table 2\)"):
        merge(paths)


@pytest.mark.parametrize("text, words", [
    ("See [Table](#tab:Bad_Name).", "malformed reference"),
    ("See [Table](# tab:x).", "malformed reference"),
    ('A paragraph <a id="sec:nowhere"></a> with a label.', "not at the end of a heading"),
])
def test_a_malformed_reference_or_a_stray_label_fails(tmp_path, text, words):
    paths = [_write(tmp_path, "05_probe.ipynb", [nbformat.v4.new_markdown_cell("# A\n\n" + text)])]
    with pytest.raises(CrossReferenceError, match=words):
        merge(paths)


def test_a_label_on_what_is_not_its_kind_of_float_fails(tmp_path):
    out = _said("Just words.")
    out.metadata["label"] = "tab:words"
    with pytest.raises(CrossReferenceError, match=r"05_probe\.ipynb: label 'tab:words' is on an output"):
        merge([_write(tmp_path, "05_probe.ipynb", [_code(out)])])


# --- the patterns of references by name -------------------------------------------------------

@pytest.mark.parametrize("text", [
    "From 0 to 1 (the noise study's table): more noise", "as measured (content probe).", "(content noise)",
    "the samplers (sampling) and", "the losses (loss comparison)", "travel in the regimes table.",
    "the leakage table's column", "the floors table", "panel (b) of the figure", "notebook 02's table",
    "(see notebook 03)", "Measures as in the table above.", "the figure below shows"])
def test_a_reference_by_name_or_position_is_found(text):
    assert named_references(text), text


@pytest.mark.parametrize("text", [
    "From 0 to 1 (Table 3): more noise", "as measured (Section 6.1).", "Table 1's regime",
    "the noise (sigma) and", "panel (b) of Figure 10", "a table of every setting", "random sampling of codes",
    "the loss comparison shows", "below the chance level"])
def test_a_numbered_reference_and_ordinary_words_are_not(text):
    assert not named_references(text), text


def test_positional_references_can_be_left_out():
    assert named_references("as in the table above") and not named_references("as in the table above",
                                                                              by_position=False)


def test_the_probe_narrative_refers_only_to_labels_notebook_05_gives():
    source = (ROOT / "notebooks" / "05_adversarial_content_probe.ipynb").read_text()
    given = {getattr(probe, name) for name in re.findall(r"label=narrative\.probe\.(\w+_LABEL)", source)}
    refs = [value for name, value in vars(probe).items() if name.endswith("_REF")]
    assert refs and {display.REF.fullmatch(r)[2] for r in refs} <= given
    caption = probe.transfer_caption([0, 1], 0)
    assert probe.REGIME_REF in caption and not named_references(caption)


# --- the smoke build --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def merged(built_report):
    _, out = built_report
    return merge(sorted((out / "executed").glob("[0-9][0-9]_*.ipynb")))


def _prose_by_notebook(nb) -> dict[str, list[str]]:
    """Each notebook's prose in the merged report: Markdown cells, generated Markdown, captions."""
    by: dict[str, list[str]] = {}
    for cell in nb.cells:
        one = nbformat.v4.new_notebook()
        one.cells = [cell]
        by.setdefault(cell.metadata["notebook"], []).extend(report_parts(one)[0])
    return by


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKC", text).lower())


def test_the_smoke_report_has_no_reference_left_and_names_only_what_exists(merged):
    names = {t.name for t in targets(merged)}
    prose = [text for texts in _prose_by_notebook(merged).values() for text in texts]
    everything = [c.source for c in merged.cells if c.cell_type == "markdown"] + [
        v for c in merged.cells for o in c.get("outputs", []) for v in
        [*(d for d in o.get("data", {}).values() if isinstance(d, str)), o.get("metadata", {}).get("caption", "")]]
    assert not [t for t in everything if display.REF_LIKE.search(t) or display.HEADING_LABEL.search(t)]
    named = {m[0] for text in prose for m in NUMBERED.finditer(text)}
    assert named and not named - names, sorted(named - names)
    assert {"tab:regimes", "tab:leakage", "tab:floors", "fig:leakage"} <= set(merged.metadata["labels"])


def test_each_label_is_numbered_as_the_pdf_numbers_its_float(built_report, merged):
    pdf, _ = built_report
    text = _letters(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    checked = 0
    for cell in merged.cells:
        for out in cell.get("outputs", []):
            label = out.get("metadata", {}).get("label")
            if label is None:
                continue
            caption = out["metadata"].get("caption") or re.search(r"Table: (.*)", out["data"]["text/markdown"])[1]
            name = merged.metadata["labels"][label]
            assert _letters(f"{name} " + caption.split("$")[0])[:40] in text, (label, name, caption[:60])
            checked += 1
    assert checked >= 4


def test_the_report_refers_to_nothing_by_name_and_05_to_nothing_by_position(merged):
    """No notebook names a float by its study ("(the noise study's table)", "(content probe)"), and 05
    says nowhere "the table above": its floats float. Left elsewhere, for whoever rewrites that text:
    "the table above" of narrative.encoders.anchor_caption and "the last table below" of 06's
    introduction, "a table above" of 07's."""
    prose = _prose_by_notebook(merged)
    found = {nb: [r for text in texts for r in named_references(text, by_position=nb.startswith("05"))]
             for nb, texts in prose.items()}
    assert "05_adversarial_content_probe.ipynb" in prose and found == {nb: [] for nb in found}, found
