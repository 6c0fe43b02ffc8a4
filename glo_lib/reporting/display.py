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


#: the largest a figure is printed in the PDF (report/template/glo: 0.92 of the 16.2 cm text width,
#: at most 0.55 of the A4 page height); a wider figure is scaled down, and its fonts with it
PRINT_WIDTH_IN, PRINT_HEIGHT_IN = 0.92 * 16.2 / 2.54, 0.55 * 29.7 / 2.54
#: the smallest font a printed figure may have (points, after scaling to the page)
MIN_FONT_PT = 8.0


def print_scale(fig: Figure) -> float:
    """The factor the PDF scales ``fig`` by (1 when it fits the page as saved)."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    return min(1.0, PRINT_WIDTH_IN / box.width, PRINT_HEIGHT_IN / box.height)


def show_figure(fig: Figure, caption: str, dpi: int = 150) -> None:
    """Display ``fig`` as a PNG with a caption (a numbered figure in the PDF), then close it."""
    png = figure_png(fig, dpi)
    plt.close(fig)
    display(Image(png), metadata={"caption": caption})
    if interactive():  # LaTeX draws the caption in the PDF; JupyterLab shows it under the figure
        display(Markdown(f"*{caption}*"))


def show_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g", index: bool = True) -> None:
    """Display ``df`` as a captioned table: Markdown in JupyterLab, a booktabs table in the PDF.

    The PDF's table takes the natural width of its columns (no cell wraps, so "mean ± std" stays
    on one line), shrinks to the text width only when it is wider, and never splits across pages.
    """
    shown = df.reset_index() if index else df  # the index's name becomes the first heading
    cells = shown.astype(object).where(shown.notna(), None)  # tabulate prints None, not NaN, as missing
    # numbers already printed as text ("158.7", "0.0123 ± 0.0004") keep their digits: no re-parsing
    text = (cells.to_markdown(floatfmt=floatfmt, index=False, missingval="–", disable_numparse=True)
            + f"\n\nTable: {caption}\n")
    display({"text/markdown": text, "text/latex": latex_table(shown, caption, floatfmt)}, raw=True)


def latex_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g") -> str:
    """``df`` (without its index) as a LaTeX table: booktabs rules, the first column left-aligned
    and the others right-aligned, scaled down to the text width only if wider, one float."""
    formats = {c: "{:d}" if pd.api.types.is_integer_dtype(df[c]) else f"{{:{floatfmt}}}"
               for c in df.select_dtypes("number")}  # counts stay whole numbers: 1000, not 1e+03
    styler = df.style.format(na_rep="–", escape="latex-math", formatter=formats)
    styler = styler.hide(axis="index").format_index(escape="latex-math", axis=1)
    aligns = "".join("r" if _numeric(df[c]) else "l" for c in df.columns[1:])
    tabular = styler.to_latex(hrules=True, column_format="l" + aligns)
    return ("\\begin{table}[htbp]\n\\centering\n\\small\n"
            f"\\caption{{{latex_text(caption)}}}\n"
            f"\\begin{{adjustbox}}{{max width=\\linewidth}}\n{tabular}\\end{{adjustbox}}\n\\end{{table}}\n")


def _numeric(column: pd.Series) -> bool:
    """Whether a column holds numbers (or numbers printed as text, "0.0123 ± 0.0004", "n/a"): right-aligned."""
    text = column.dropna().astype(str).str.strip()
    return bool(len(text)) and bool(text.str.match(r"^([-+±]?\d|n/a|–)").all())


#: LaTeX's special characters outside math, and what stands for each
_LATEX_SPECIAL = {"\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "#": "\\#", "_": "\\_",
                  "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def latex_text(text: str) -> str:
    """``text`` for LaTeX: special characters escaped, ``$...$`` math left as written."""
    parts = text.split("$")
    for i in range(0, len(parts), 2):  # even parts are outside math
        parts[i] = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in parts[i])
    return "$".join(parts)


def say(text: str) -> None:
    """Display generated Markdown prose (numbers filled in from measured values)."""
    display(Markdown(text))


def interactive() -> bool:
    """True outside the report build (GLO_REPORT_BUILD unset): JupyterLab or a plain papermill run."""
    return not os.environ.get("GLO_REPORT_BUILD")
