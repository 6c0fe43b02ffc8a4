"""What a notebook shows: captioned figures, captioned tables and generated prose.

The captions travel in the output's metadata; the report template turns them into
numbered LaTeX figures. Everything shown here renders the same in JupyterLab.
"""
from __future__ import annotations

import io
import os

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display
from matplotlib.figure import Figure


def figure_png(fig: Figure, dpi: int = 150) -> bytes:
    """``fig`` as PNG bytes, cropped to its contents."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def show_figure(fig: Figure, caption: str, dpi: int = 150) -> None:
    """Display ``fig`` as a PNG with a caption (a numbered figure in the PDF), then close it."""
    png = figure_png(fig, dpi)
    plt.close(fig)
    display(Image(png), metadata={"caption": caption})
    if interactive():  # LaTeX draws the caption in the PDF; JupyterLab shows it under the figure
        display(Markdown(f"*{caption}*"))


def show_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g", index: bool = True,
               natural_width: bool = False) -> None:
    """Display ``df`` as a Markdown table with a caption (a numbered table in the PDF).

    ``natural_width`` also gives the PDF a LaTeX table whose columns take the width of their
    contents: pandoc squeezes wide Markdown tables into equal-ish columns that wrap short labels.
    """
    shown = df.astype(object).where(df.notna(), None)  # tabulate prints None, not NaN, as missing
    text = shown.to_markdown(floatfmt=floatfmt, index=index, missingval="–") + f"\n\nTable: {caption}\n"
    if not natural_width:
        display(Markdown(text))
        return
    styler = df.style.format(precision=3, na_rep="–", escape="latex",
                             formatter={c: f"{{:{floatfmt}}}" for c in df.select_dtypes("number")})
    if not index:
        styler = styler.hide(axis="index")
    latex = styler.to_latex(caption=_escape(caption), position="H", position_float="centering",
                            hrules=True, column_format="l" + "r" * (len(df.columns) - 1 + index))
    display({"text/markdown": text, "text/latex": latex}, raw=True)


def _escape(text: str) -> str:
    for char in "\\&%$#_{}":
        text = text.replace(char, "\\" + char)
    return text


def say(text: str) -> None:
    """Display generated Markdown prose (numbers filled in from measured values)."""
    display(Markdown(text))


def interactive() -> bool:
    """True outside the report build (GLO_REPORT_BUILD unset): JupyterLab or a plain papermill run."""
    return not os.environ.get("GLO_REPORT_BUILD")
