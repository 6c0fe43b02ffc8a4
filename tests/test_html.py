"""The HTML edition (glo_lib/reporting/html.py): a small constructed notebook converted and read
back, the same page opened offline in a real browser, and the smoke build's page beside its PDF.

The browser test is marked ``browser``: skipped, with the reason, where chromium, chromedriver or
Selenium cannot be found (``make test`` installs all three), as in test_lab.py.
"""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from glo_lib.reporting import display
from glo_lib.reporting.html import HTML_NAME, mathjax_dir, to_html_if_changed

TEMPLATES = ROOT / "report" / "template"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
#: a script, style sheet or font the page would fetch from the network
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
PROSE = "The noise $\\sigma = 0.3$ blurs the codes (Figure 2, Table 1, Section 1.1); Figure 9 is not there."


def _figure_output(caption: str) -> nbformat.NotebookNode:
    """A captioned figure as display.show_figure shows one: a PNG, and a PDF for the LaTeX template."""
    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [1, 0])
    pdf = io.BytesIO()
    fig.savefig(pdf, format="pdf")
    data = {"image/png": display.figure_png(fig, dpi=60), "application/pdf": pdf.getvalue()}
    plt.close(fig)
    return nbformat.v4.new_output("display_data", metadata={"caption": caption},
                                  data={**{k: base64.b64encode(v).decode() for k, v in data.items()},
                                        "text/plain": "<Figure>"})


def _table_output(monkeypatch) -> nbformat.NotebookNode:
    """The bundle display.show_table displays (Markdown with pandoc's caption line, and LaTeX)."""
    shown = []
    monkeypatch.setattr(display, "display", lambda bundle, raw=False: shown.append(bundle))
    display.show_table(pd.DataFrame({"$\\sigma$": [0.0, 0.3], "MSE": [0.0123, 0.0456]}).set_index("$\\sigma$"),
                       "Reconstruction MSE at each $\\sigma$.")
    return nbformat.v4.new_output("display_data", data=shown[0])


@pytest.fixture
def small(monkeypatch):
    """A report in small: two sections, prose with math and references, two figures, a table."""
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"title": "A small report", "subtitle": "made for the test", "build_note": "built by a test",
                        "date": "2024-01-02"})
    code = nbformat.v4.new_code_cell("print('this code is not shown')")
    code.outputs = [_figure_output("A line falling with $\\sigma$."), _table_output(monkeypatch),
                    _figure_output("The same line, smaller.")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Method\n\n" + PROSE),
                nbformat.v4.new_markdown_cell("## Details\n\nAs Figure 1 shows."), code]
    return nb


@pytest.fixture
def page(small, tmp_path):
    target, rebuilt = to_html_if_changed(small, tmp_path / HTML_NAME, TEMPLATES)
    assert rebuilt
    return target, BeautifulSoup(target.read_text(), "html.parser")


def test_nothing_is_fetched_from_the_network(page):
    target, soup = page
    assert not REMOTE.findall(re.sub(r"/\*.*?\*/", "", target.read_text(), flags=re.S))  # CSS comments cite URLs
    mathjax = soup.select_one("script[src*=MathJax]")["src"]
    assert mathjax.startswith(f"{target.stem}_files/mathjax/MathJax.js?config=")
    assert (target.parent / mathjax.split("?")[0]).is_file() and (mathjax_dir(target) / "MathJax.js").is_file()


def test_figures_are_embedded_and_numbered_with_their_captions_under_them(page):
    _, soup = page
    figures = soup.select("figure.glo-figure")
    assert [f["id"] for f in figures] == ["fig-1", "fig-2"]
    for figure in figures:
        assert figure.img["src"].startswith("data:image/png;base64,iVBOR")
        assert figure.contents.index(figure.img) < figure.contents.index(figure.figcaption)
    assert figures[0].figcaption.get_text(" ", strip=True) == "Figure 1: A line falling with $\\sigma$."
    assert figures[1].figcaption.get_text(" ", strip=True) == "Figure 2: The same line, smaller."


def test_a_table_is_its_markdown_as_an_html_table_with_its_caption_not_its_latex(page):
    target, soup = page
    (table,) = soup.select("figure.glo-table")
    assert table["id"] == "tab-1"
    assert [th.get_text(strip=True) for th in table.select("th")] == ["$\\sigma$", "MSE"]
    assert len(table.select("tbody tr")) == 2
    assert table.figcaption.get_text(" ", strip=True) == "Table 1: Reconstruction MSE at each $\\sigma$."
    text = target.read_text()
    assert "\\begin{table}" not in text and "Table: Reconstruction" not in text


def test_sections_are_numbered_listed_and_the_code_is_hidden(page):
    _, soup = page
    assert [(h.name, h["id"], h.get_text(" ", strip=True).rstrip("¶ ")) for h in soup.select("h1[id], h2[id]")] == [
        ("h1", "sec-1", "1 Method"), ("h2", "sec-1-1", "1.1 Details")]
    assert [a["href"] for a in soup.select("nav.glo-toc a")] == ["#sec-1"]  # sections only, as the PDF's contents
    text = soup.get_text().replace("\xa0", " ")
    assert "this code is not shown" not in text and "In [" not in text and "Out[" not in text
    title = soup.select_one("header.glo-title").get_text(" ", strip=True)
    assert title == "A small report made for the test built by a test, 2024-01-02"
    assert soup.title.string == "A small report"


def test_references_in_the_text_link_to_what_exists(page):
    _, soup = page
    links = {a.get_text(): a["href"] for a in soup.select("a.glo-xref")}
    assert links == {"Figure 2": "#fig-2", "Table 1": "#tab-1", "Section 1.1": "#sec-1-1", "Figure 1": "#fig-1"}
    assert all(soup.find(id=href[1:]) is not None for href in links.values())
    assert "Figure 9 is not there" in soup.get_text()  # no such figure: plain text
    assert "$\\sigma = 0.3$" in soup.get_text()  # math stays whole, for MathJax


def test_rebuilt_only_when_what_it_shows_changed(small, tmp_path):
    target = tmp_path / HTML_NAME
    assert to_html_if_changed(small, target, TEMPLATES)[1]
    small.cells[0].metadata["collapsed"] = True  # not shown on the page
    assert not to_html_if_changed(small, target, TEMPLATES)[1]
    small.cells[1].source += " More."
    assert to_html_if_changed(small, target, TEMPLATES)[1]
    assert "More." in target.read_text()
    assert to_html_if_changed(small, target, TEMPLATES, force=True)[1]


@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="chromium and chromedriver not found: install Debian's chromium and "
                           "chromium-driver (make sysdeps does, as root)")
def test_the_page_reads_offline_in_a_browser(page):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    target, _ = page
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,900", "--proxy-server=127.0.0.1:9"):
        options.add_argument(arg)  # a proxy that refuses: any request for the network would fail
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(target.as_uri())
        WebDriverWait(driver, 60).until(lambda d: d.execute_script(
            "return !!(window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && document.querySelectorAll('.MathJax').length)"))
        body = driver.execute_script("return document.body.innerText")
        assert "$\\sigma" not in body and "σ" in driver.execute_script(
            "return Array.from(document.querySelectorAll('.MathJax')).map(e => e.textContent).join(' ')")
        assert not driver.find_elements(By.CSS_SELECTOR, ".noError, .MathJax_Error, .merror")  # TeX it could not read
        sizes = driver.execute_script(
            "return Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
        assert len(sizes) == 2 and all(w > 0 for w in sizes), sizes
        loaded = driver.execute_script(
            "return Array.from(document.querySelectorAll('script[src], link[href]')).map(e => e.src || e.href)")
        assert loaded and all(url.startswith("file:") for url in loaded), loaded
        # nothing failed to load, from the disk or the network (MathJax probes fonts with about:blank)
        failed = [e["message"] for e in driver.get_log("browser")
                  if e["source"] == "network" and not e["message"].startswith("about:blank")]
        assert not failed, failed
        driver.find_element(By.CSS_SELECTOR, "a.glo-xref[href='#fig-2']").click()
        assert driver.execute_script("return location.hash") == "#fig-2"
        assert driver.execute_script("return document.querySelector(':target').id") == "fig-2"
    finally:
        driver.quit()


def test_the_smoke_build_writes_the_html_beside_the_pdf_numbered_as_the_pdf(built_report):
    pdf, out = built_report
    target = out / HTML_NAME
    assert target.parent == pdf.parent and target.is_file() and (mathjax_dir(target) / "MathJax.js").is_file()
    soup = BeautifulSoup(target.read_text(), "html.parser")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for kind, css in (("Figure", "glo-figure"), ("Table", "glo-table")):
        in_pdf = sorted({int(n) for n in re.findall(rf"\b{kind}\s+(\d+):", text)})  # the captions' labels
        shown = soup.select(f"figure.{css}")
        assert in_pdf == list(range(1, len(shown) + 1)), (kind, in_pdf, len(shown))
        assert all(fig.figcaption.get_text().startswith(f"{kind} {n}:") for n, fig in enumerate(shown, 1))
    assert all(fig.img["src"].startswith("data:image/png;base64,") for fig in soup.select("figure.glo-figure"))
    assert all(soup.find(id=a["href"][1:]) for a in soup.select("a.glo-xref"))
    words = " ".join(text.split())
    headings = [h.get_text(" ", strip=True).rstrip("¶ ") for h in soup.select("h1[id^=sec-], h2[id^=sec-], h3[id^=sec-]")]
    assert len(headings) >= 8 and headings[0].startswith("1 ")
    assert [h for h in headings if "$" not in h and h not in words] == []  # "3.1 What the noise does", as printed
