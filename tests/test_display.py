"""What notebooks show: captioned figures and tables, in JupyterLab and in the PDF."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

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
    assert args[0].data.startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


def test_figure_caption_is_also_shown_in_jupyterlab(shown, monkeypatch):
    monkeypatch.delenv("GLO_REPORT_BUILD", raising=False)
    display.show_figure(plt.figure(), "Seen in the lab.")
    assert len(shown) == 2 and shown[1][0][0].data == "*Seen in the lab.*"


def test_markdown_table_has_caption_and_dash_for_missing(shown):
    display.show_table(pd.DataFrame({"a": [1.23456, None]}, index=["x", "y"]), "Two rows.")
    (args, _), = shown
    text = args[0].data
    assert "Table: Two rows." in text and "1.23" in text and "–" in text


def test_natural_width_table_gives_latex_that_escapes_and_sizes_columns(shown):
    df = pd.DataFrame({"experiment": ["lr_x 10%", "b"], "MSE": [0.01234, float("nan")]})
    display.show_table(df, "Costs & gains_1.", index=False, natural_width=True)
    (args, kwargs), = shown
    bundle = args[0]
    assert kwargs == {"raw": True}
    latex = bundle["text/latex"]
    assert r"\caption{Costs \& gains\_1.}" in latex and r"lr\_x 10\%" in latex
    assert r"\begin{tabular}{lr}" in latex and "0.0123" in latex and "–" in latex
    assert "Table: Costs & gains_1." in bundle["text/markdown"]


def test_say_shows_markdown(shown):
    display.say("**bold** words")
    assert shown[0][0][0].data == "**bold** words"
