"""The smoke report read as a finished document: its text fits the page, it has no run log, every
quoted number comes from a table, it ends with its conclusions, and it has the length it should.

The smoke build has the full build's sections, figures and tables (only its sweeps are smaller), so
what holds for its layout holds for the full report's.
"""
import re
import subprocess
from pathlib import Path

import pytest

from glo_lib.reporting.build import merge
from glo_lib.reporting.display import REF
from glo_lib.reporting.proofread import quoted_numbers, run_log_phrases, untabled_numbers

#: A4 with the template's 2.4 cm side margins, in PDF points: the text block runs from LEFT to RIGHT
PAGE_WIDTH, LEFT = 595.28, 2.4 / 2.54 * 72
RIGHT = PAGE_WIDTH - LEFT
#: a word may reach this far past the text block (LaTeX's own tolerance for a line is 0.1 pt; a
#: point covers rounding in the bounding boxes, anything more is a line that sticks out)
OVERHANG_PT = 1.0
#: pages of the smoke report: the full report is to be 12-14 pages, and the smoke report has the
#: same sections, figures and tables with smaller sweeps (fewer families on the frontier)
PAGES = range(10, 15)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(l for l in info.splitlines() if l.startswith("Pages:")).split()[1])


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def merged(built_report):
    _, out = built_report
    return merge(sorted((out / "executed").glob("[0-9][0-9]_*.ipynb")))


def test_no_word_sticks_out_of_the_text_block(built_report):
    pdf, _ = built_report
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    assert words
    outside = [(w, float(a), float(b)) for a, b, w in words
               if float(a) < LEFT - OVERHANG_PT or float(b) > RIGHT + OVERHANG_PT]
    assert not outside, f"words outside the text block ({LEFT:.1f} to {RIGHT:.1f} pt): {outside[:10]}"


def test_page_count_is_in_the_stated_range(built_report):
    pdf, _ = built_report
    assert _pages(pdf) in PAGES


def test_the_report_ends_with_its_conclusions(built_report):
    pdf, _ = built_report
    text = _text(pdf)
    # a number and a title on one line ("8    Conclusions"): never a page number above the next page's first line
    headings = re.findall(r"^[ \t]*(\d+)[ \t]{2,}([A-Z][^\n]*?)\s*$", text, re.M)
    numbered = [h for h in headings if not h[1].strip().endswith(tuple("0123456789"))]  # not the TOC lines
    assert numbered and numbered[-1][1].strip() == "Conclusions", numbered[-3:]
    # the bibliography follows, unnumbered (report/template/glo numbers what pandoc makes of "#" headings)
    assert re.search(r"^References\s*$", text[text.rindex("Conclusions"):], re.M) and "Bojanowski" in text
    assert "What the course report got right and wrong" in " ".join(text.split())


def test_no_run_log_in_the_text(built_report, merged):
    pdf, _ = built_report
    text = " ".join(_text(pdf).split())
    assert not run_log_phrases(text), run_log_phrases(text)
    for word in ("loaded from the cache", "seed(s)", "trained into", ".csv", ".ipynb"):
        assert word not in text


def test_every_quoted_number_is_printed_in_a_table(merged):
    prose_numbers = [n for c in merged.cells if c.cell_type == "markdown" for n in quoted_numbers(c.source)]
    assert not untabled_numbers(merged), untabled_numbers(merged)
    assert prose_numbers == []  # the Markdown the notebooks are written in quotes no measure


def test_no_list_of_figures_and_no_split_tables(built_report):
    pdf, _ = built_report
    text = _text(pdf)
    assert "List of Figures" not in text
    assert "(continued)" not in text  # pandoc's longtables say so when they split


def test_one_notation(built_report):
    text = " ".join(_text(built_report[0]).split())
    for wrong in ("l1+l2", "L1 + L2", "noise sigma", "sigma =", "std ="):
        assert wrong not in text, wrong


def test_proofread_finds_untabled_numbers_and_run_logs():
    import nbformat

    nb = nbformat.v4.new_notebook()
    table = {"text/markdown": "| a |", "text/latex": "\\begin{table}\n\\caption{x}\n\\begin{adjustbox}{}\n"
                                                     "\\begin{tabular}{l}\n91.3 & 0.0123 \\\\\n\\end{tabular}"}
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data=table),
                    nbformat.v4.new_output("display_data", data={"text/markdown": "We get 91.3% and 91.9%, "
                                                                                  "MSE 0.0123, 0.3 and 10%."})]
    nb.cells = [cell]
    assert [n for n, _ in untabled_numbers(nb)] == ["91.9"]
    assert quoted_numbers("0.3, 0.001, 12%, 12.5% and 0.01234") == ["12.5"]
    assert run_log_phrases("it took 12.3 s") and run_log_phrases("runs loaded from the cache")
    assert run_log_phrases("saved as noise_study.csv") and not run_log_phrases("the 3 settings of sigma")
    assert not run_log_phrases("the second stage, below the second")  # an ordinal, not a timing


def test_every_checked_claim_of_the_build_holds(built_report, merged):
    import pandas as pd

    _, out = built_report
    tables = sorted(Path(out).glob("*_claims.csv"))
    assert tables, "the build saved no checked claims"
    claims = pd.concat([pd.read_csv(t) for t in tables])
    assert len(claims) and claims["holds"].astype(str).eq("True").all(), claims[claims["holds"].astype(str) != "True"]
    import unicodedata
    # only the letters: line breaks, hyphenation and ligatures aside
    letters = lambda t: re.sub(r"[^a-z]", "", unicodedata.normalize("NFKC", t).lower())  # noqa: E731
    text = letters(_text(built_report[0]))
    numbers = merged.metadata["labels"]  # a claim records its references as written: "[Table](#tab:regimes)"
    for statement in claims["statement"]:  # each is printed as checked (its first words, before any math)
        printed = REF.sub(lambda ref: numbers[ref[2]], statement)
        assert letters(printed.split("$")[0])[:60] in text, statement


def test_the_build_folder_holds_every_table_the_pdf_prints(built_report):
    import unicodedata

    import pandas as pd

    pdf, out = built_report
    text = _text(pdf)
    numbers = sorted({int(n) for n in re.findall(r"^\s*Table (\d+):", text, re.M)})
    saved = sorted(Path(out, "tables").glob("table-*.csv"), key=lambda p: int(p.stem.split("-")[1]))
    assert [int(p.stem.split("-")[1]) for p in saved] == numbers, (numbers, saved)
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("\u2019", "'")  # LaTeX's apostrophe
    for path in saved:  # every printed cell (math aside) is in the PDF as the CSV holds it
        cells = pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel()
        for cell in cells:
            if cell and "$" not in cell and "\\" not in cell:
                assert re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell)) in flat, (path.name, cell)


def test_printed_tables_are_numbered_as_the_pdf_numbers_its_tables(tmp_path, monkeypatch):
    import nbformat
    import pandas as pd

    from glo_lib.reporting import display
    from glo_lib.reporting.build import save_printed_tables

    shown = []
    monkeypatch.setattr(display, "display", lambda data, **kw: shown.append(data))
    display.show_table(pd.DataFrame({"a": ["x", "y"], "b": [1.5, 2.0]}), "first", index=False)
    display.show_table(pd.DataFrame({"c": ["0.0082 ± 0.0010"]}), "second", index=False)
    cell = nbformat.v4.new_code_cell("")
    figure = nbformat.v4.new_output("display_data", data={"text/latex": "\\begin{figure}\\end{figure}"})
    cell.outputs = [nbformat.v4.new_output("display_data", data=shown[0]), figure,
                    nbformat.v4.new_output("display_data", data=shown[1])]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "table-9.csv").write_text("stale")
    folder = save_printed_tables(nb, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["table-1.csv", "table-2.csv"]
    assert pd.read_csv(folder / "table-1.csv", dtype=str).to_dict("list") == {"a": ["x", "y"], "b": ["1.5", "2"]}
    assert pd.read_csv(folder / "table-2.csv", dtype=str)["c"].tolist() == ["0.0082 ± 0.0010"]
