"""What notebooks show: captioned figures and tables, in JupyterLab and in the PDF."""
import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from figure_fonts import smallest_font_pt  # noqa: E402
from glo_lib.reporting import display  # noqa: E402


@pytest.fixture
def shown(monkeypatch):
    calls = []
    monkeypatch.setattr(display, "display", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_figure_carries_its_caption_and_is_closed(shown, monkeypatch):
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    fig, ax = plt.subplots()
    display.show_figure(fig, "A caption.")
    (args, kwargs), = shown  # in the build only the image: LaTeX writes the caption
    assert kwargs["metadata"] == {"caption": "A caption."}
    # one output, the figure twice: a PNG for JupyterLab and HTML, a vector PDF for the PDF
    assert base64.b64decode(args[0]["image/png"]).startswith(b"\x89PNG")
    assert base64.b64decode(args[0]["application/pdf"]).startswith(b"%PDF")
    assert not plt.fignum_exists(fig.number)


def test_figure_caption_is_also_shown_in_jupyterlab(shown, monkeypatch):
    monkeypatch.delenv("GLO_REPORT_BUILD", raising=False)
    display.show_figure(plt.figure(), "Seen in the lab.")
    assert len(shown) == 2 and shown[1][0][0].data == "*Seen in the lab.*"


def test_table_has_markdown_for_the_lab_and_latex_for_the_pdf(shown):
    display.show_table(pd.DataFrame({"a": [1.23456, None]}, index=pd.Index(["x", "y"], name="row")), "Two rows.")
    (args, kwargs), = shown
    assert kwargs == {"raw": True}
    text, latex = args[0]["text/markdown"], args[0]["text/latex"]
    assert "Table: Two rows." in text and "1.23" in text and "–" in text and "row" in text
    # the index becomes the first column, with its name as heading
    assert "\\begin{tabular}{lr}" in latex and "row & a" in latex and "x & 1.23" in latex


def test_latex_table_fits_the_width_uses_booktabs_and_floats_whole(shown):
    df = pd.DataFrame({"experiment": ["lr_x 10%", "b"], "MSE": [0.01234, float("nan")],
                       "$\\sigma$ spread": ["0.0123 ± 0.0004", "0.0200 ± 0.0010"]})
    display.show_table(df, "Costs & gains_1 at $\\sigma$ = 0.3.", index=False)
    (args, _), = shown
    latex = args[0]["text/latex"]
    assert r"\caption{Costs \& gains\_1 at $\sigma$ = 0.3.}" in latex and r"lr\_x 10\%" in latex
    assert r"\begin{tabular}{lrr}" in latex and "0.0123" in latex and "–" in latex
    counts = pd.DataFrame({"sampler": ["a"], "images": [1000], "share": [0.12345]})
    display.show_table(counts, "Counts.", index=False)
    assert "a & 1000 & 0.123" in shown[-1][0][0]["text/latex"]  # a count is no float
    words = pd.DataFrame({"Parameter": ["Loss", "Epochs"], "Value": ["L1+L2", "50"]})
    display.show_table(words, "Text values.", index=False)
    assert r"\begin{tabular}{ll}" in shown[-1][0][0]["text/latex"]  # text is left-aligned
    assert r"$\sigma$ spread" in latex  # math in headings is kept
    assert r"\toprule" in latex and r"\begin{adjustbox}{max width=\linewidth}" in latex
    assert "longtable" not in latex and r"\begin{table}[htbp]" in latex


def test_latex_text_escapes_outside_math_only():
    assert display.latex_text("50% of a_b at $\\sigma_1$ & more") == r"50\% of a\_b at $\sigma_1$ \& more"


def test_print_scale_and_smallest_font():
    small, ax = plt.subplots(figsize=(4, 2))
    ax.set_xlabel("x", fontsize=9)
    ax.tick_params(labelsize=8)
    assert display.print_scale(small) == 1.0 and smallest_font_pt(small) == 8
    wide, ax = plt.subplots(figsize=(12, 2))
    ax.tick_params(labelsize=10)
    scale = display.print_scale(wide)
    assert scale < 0.7 and smallest_font_pt(wide) == pytest.approx(10 * scale)


def test_say_shows_markdown(shown):
    display.say("**bold** words")
    assert shown[0][0][0].data == "**bold** words"
