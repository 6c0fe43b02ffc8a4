"""What a notebook shows: captioned figures, captioned tables and generated prose.

The captions travel in the output's metadata; the report template turns them into
numbered LaTeX figures. Everything shown here renders the same in JupyterLab.
"""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display


def show_figure(fig: plt.Figure, caption: str, dpi: int = 150) -> None:
    """Display ``fig`` as a PNG with a caption (a numbered figure in the PDF), then close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    display(Image(buf.getvalue()), metadata={"caption": caption})
    display(Markdown(f"*{caption}*")) if _interactive() else None


def show_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g", index: bool = True) -> None:
    """Display ``df`` as a Markdown table with a caption (a numbered table in the PDF)."""
    df = df.astype(object).where(df.notna(), None)  # tabulate prints None, not NaN, as missing
    text = df.to_markdown(floatfmt=floatfmt, index=index, missingval="–")
    display(Markdown(text + f"\n\nTable: {caption}\n"))


def say(text: str) -> None:
    """Display generated Markdown prose (numbers filled in from measured values)."""
    display(Markdown(text))


def _interactive() -> bool:
    # in JupyterLab the caption is not drawn by LaTeX, so show it under the figure;
    # under papermill (the report build) GLO_REPORT_BUILD is set and LaTeX draws it
    import os

    return not os.environ.get("GLO_REPORT_BUILD")
