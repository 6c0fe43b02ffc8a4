"""What a notebook shows: captioned figures, captioned tables and generated prose.

The captions travel in the output's metadata; the report template turns them into
numbered LaTeX figures. Everything shown here renders the same in JupyterLab.

**Cross-references.** A figure or table is given a label where it is shown,
``show_figure(fig, caption, label="fig:leakage")``, ``show_table(df, caption, label="tab:regimes")``
(carried in the output's metadata as ``label``); a heading is given one by an empty anchor at its
end, ``## Two regimes <a id="sec:regimes"></a>``. A label is its kind (``fig``, ``tab``, ``sec``), a
colon and lowercase letters, digits and hyphens (``LABEL``). Prose refers to a label with a Markdown
link to it, in Markdown cells, in text shown with ``say`` and in captions::

    as [Table](#tab:regimes) shows; panel (b) of [Figure](#fig:leakage)

In JupyterLab the link shows its text ("Table"), so write the text to read well in place of the
number. The report build (``build.merge``) numbers every figure, table and section of the merged
report in document order as LaTeX numbers them (every captioned figure and every table is a float,
labelled or not) and rewrites each reference to plain text, "Table 3", "Figure 7", "Section 6.1"
(the kind comes from the label, the link text is dropped), so the PDF and the HTML edition print the
numbers and the HTML links them. A reference to a label no notebook defines, or a label defined
twice, fails the build with the label and the notebook named (``build.CrossReferenceError``).
"""
from __future__ import annotations

import base64
import io
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ..measures.registry import MINUS, minus

#: a label: its kind, a colon, then lowercase letters and digits in words joined by hyphens
LABEL = re.compile(r"(fig|tab|sec):[a-z0-9]+(?:-[a-z0-9]+)*")
#: what each kind of label is called when a reference is printed ("Table 3")
KINDS = {"fig": "Figure", "tab": "Table", "sec": "Section"}
#: a reference in prose: a Markdown link to a label, ``[Table](#tab:regimes)``; in LaTeX text (a
#: table's caption as ``latex_table`` writes it) the ``#`` comes escaped, ``\#``
REF = re.compile(r"\[([^\[\]\n]*)\]\(\\?#(" + LABEL.pattern + r")\)")
#: anything that looks like a reference, well formed or not (what must be gone from the merged report)
REF_LIKE = re.compile(r"\]\(\s*\\?#\s*(?:fig|tab|sec):")
#: a heading's label: an empty anchor, ``<a id="sec:regimes"></a>`` (JupyterLab shows nothing)
HEADING_LABEL = re.compile(r"\s*<a\s+(?:id|name)=[\"'](sec:[^\"']*)[\"']\s*>\s*</a>\s*")


def ref(label: str, text: Optional[str] = None) -> str:
    """The reference to ``label`` as prose writes it: ``ref("tab:regimes")`` is ``[Table](#tab:regimes)``."""
    kind = check_label(label)
    return f"[{KINDS[kind] if text is None else text}](#{label})"


def check_label(label: str, kind: Optional[str] = None) -> str:
    """``label``'s kind ("fig", "tab", "sec"); ValueError when it is no label, or not of ``kind``."""
    if not isinstance(label, str) or not LABEL.fullmatch(label):
        raise ValueError(f"label {label!r} is not a label: write its kind (fig, tab or sec), a colon and "
                         "lowercase letters, digits and hyphens, e.g. 'tab:regimes'")
    found = label.split(":", 1)[0]
    if kind is not None and found != kind:
        raise ValueError(f"label {label!r} is a {KINDS[found].lower()}'s label; this is a {KINDS[kind].lower()}: "
                         f"write '{kind}:{label.split(':', 1)[1]}'")
    return found


#: how matplotlib writes a figure's PDF: fonts embedded as TrueType subsets (Type 42: small, and
#: its text can be searched and copied), a true minus sign on the axes (matplotlib's default,
#: stated so that no style can turn it off), and no creation date, so that the same figure makes
#: the same bytes and an unchanged report is not rebuilt
PDF_RC = {"pdf.fonttype": 42, "axes.unicode_minus": True}
PDF_METADATA = {"CreationDate": None}


def figure_png(fig: Figure, dpi: int = 150) -> bytes:
    """``fig`` as PNG bytes, cropped to its contents."""
    buf = io.BytesIO()
    with plt.rc_context({"axes.unicode_minus": PDF_RC["axes.unicode_minus"]}):  # as in the PDF
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def figure_pdf(fig: Figure) -> bytes:
    """``fig`` as a vector PDF, cropped as ``figure_png``: axes, lines and text are vectors, fonts
    embedded (PDF_RC); a picture drawn with ``imshow`` (a grid of digits) is embedded as one image
    of its own pixels (interpolation "none" while saving), which the page scales without blur."""
    images = fig.findobj(AxesImage)
    before = [im.get_interpolation() for im in images]
    try:
        for im in images:
            im.set_interpolation("none")
        with plt.rc_context(PDF_RC):
            buf = io.BytesIO()
            fig.savefig(buf, format="pdf", bbox_inches="tight", metadata=PDF_METADATA)
    finally:
        for im, how in zip(images, before):
            im.set_interpolation(how)
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


class FigureTextWarning(UserWarning):
    """A figure shown has text over other text or across a border (``text_overlaps`` says where)."""


def show_figure(fig: Figure, caption: str, dpi: int = 150, label: Optional[str] = None) -> None:
    """Display ``fig`` with a caption (a numbered figure in the PDF), then close it.

    One output carries the figure twice: as a PNG (JupyterLab and HTML show it) and as a vector
    PDF (the LaTeX template prints it, report/template/glo). A figure with text over other text
    or across a border (``text_overlaps``) is shown all the same, with a FigureTextWarning.
    ``label`` ("fig:leakage") lets prose refer to it (the module's docstring)."""
    if label is not None:
        check_label(label, "fig")
    png, pdf = figure_png(fig, dpi), figure_pdf(fig)
    problems = text_overlaps(fig)
    plt.close(fig)
    if problems:
        warnings.warn(f"figure {caption[:60]!r}: " + "; ".join(problems), FigureTextWarning, stacklevel=2)
    bundle = {"image/png": base64.b64encode(png).decode("ascii"),
              "application/pdf": base64.b64encode(pdf).decode("ascii"),
              "text/plain": "<Figure>"}
    display(bundle, raw=True, metadata={"caption": caption, **({"label": label} if label else {})})
    if interactive():  # LaTeX draws the caption in the PDF; JupyterLab shows it under the figure
        display(Markdown(f"*{caption}*"))


def show_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g", index: bool = True,
               label: Optional[str] = None) -> None:
    """Display ``df`` as a captioned table: Markdown in JupyterLab, a booktabs table in the PDF.

    The PDF's table takes the natural width of its columns (no cell wraps, so "mean ± std" stays
    on one line), shrinks to the text width only when it is wider, and never splits across pages.
    ``label`` ("tab:regimes") lets prose refer to it (the module's docstring).
    """
    if label is not None:
        check_label(label, "tab")
    shown = df.reset_index() if index else df  # the index's name becomes the first heading
    cells = shown.astype(object).where(shown.notna(), None)  # tabulate prints None, not NaN, as missing
    for c, number in _number_formats(shown, floatfmt).items():  # numbers printed here, with a true minus
        cells[c] = pd.Series([None if pd.isna(v) else number(v) for v in cells[c]], index=cells.index, dtype=object)
    # numbers already printed as text ("158.7", "0.0123 ± 0.0004") keep their digits: no re-parsing
    align = ["left"] + ["right" if _numeric(cells[c]) else "left" for c in cells.columns[1:]]  # as the PDF's
    text = (cells.to_markdown(floatfmt=floatfmt, index=False, missingval="–", disable_numparse=True, colalign=align)
            + f"\n\nTable: {caption}\n")
    bundle = {"text/markdown": text, "text/latex": latex_table(shown, caption, floatfmt)}
    if label is None:
        display(bundle, raw=True)
    else:
        display(bundle, raw=True, metadata={"label": label})


def latex_table(df: pd.DataFrame, caption: str, floatfmt: str = ".3g") -> str:
    """``df`` (without its index) as a LaTeX table: booktabs rules, the first column left-aligned
    and the others right-aligned, scaled down to the text width only if wider, one float."""
    styler = df.style.format(na_rep="–", escape="latex-math", formatter=_number_formats(df, floatfmt))
    styler = styler.hide(axis="index").format_index(escape="latex-math", axis=1)
    aligns = "".join("r" if _numeric(df[c]) else "l" for c in df.columns[1:])
    tabular = styler.to_latex(hrules=True, column_format="l" + aligns)
    return ("\\begin{table}[htbp]\n\\centering\n\\small\n"
            f"\\caption{{{latex_text(caption)}}}\n"
            f"\\begin{{adjustbox}}{{max width=\\linewidth}}\n{tabular}\\end{{adjustbox}}\n\\end{{table}}\n")


def _number_formats(df: pd.DataFrame, floatfmt: str) -> dict:
    """How each numeric column of ``df`` prints: counts as whole numbers (1000, not 1e+03), other
    numbers with ``floatfmt``, a negative one with a true minus sign (U+2212, as registry.fmt)."""
    def number(spec):
        return lambda v: minus(format(v, spec))
    return {c: number("d" if pd.api.types.is_integer_dtype(df[c]) else floatfmt) for c in df.select_dtypes("number")}


def _numeric(column: pd.Series) -> bool:
    """Whether a column holds numbers (or numbers printed as text, "0.0123 ± 0.0004", "−0.01", "n/a"):
    right-aligned."""
    text = column.dropna().astype(str).str.strip()
    return bool(len(text)) and bool(text.str.match(f"^([-+±{MINUS}]?\\d|n/a|–)").all())


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


# --- text over text, text across borders -------------------------------------------------------

#: how far (points, as drawn) two boxes may run into each other before it counts: text boxes
#: include a little space above and below the letters, and neighbours may touch
OVERLAP_TOL_PT = 1.0


@dataclass
class _Box:
    """A rectangle in display pixels: its centre, width, height and rotation (degrees)."""

    name: str
    cx: float
    cy: float
    w: float
    h: float
    angle: float = 0.0

    @classmethod
    def of(cls, name: str, bbox: Bbox) -> "_Box":
        return cls(name, (bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2, bbox.width, bbox.height)

    def corners(self, inset: float = 0.0) -> np.ndarray:
        w, h = max(self.w - 2 * inset, 0.0) / 2, max(self.h - 2 * inset, 0.0) / 2
        a = np.deg2rad(self.angle)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        return np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) @ rot.T + (self.cx, self.cy)

    def aabb(self) -> tuple[float, float, float, float]:
        c = self.corners()
        return c[:, 0].min(), c[:, 1].min(), c[:, 0].max(), c[:, 1].max()


def _depth(a: np.ndarray, b: np.ndarray) -> float:
    """How far two convex polygons run into each other (separating axes): the smallest overlap of
    their shadows on any edge normal; 0 or less when they are apart."""
    depth = np.inf
    for poly in (a, b):
        for i in range(len(poly)):
            edge = poly[(i + 1) % len(poly)] - poly[i]
            length = np.hypot(*edge)
            if length == 0:
                continue
            normal = np.array([-edge[1], edge[0]]) / length
            pa, pb = a @ normal, b @ normal
            depth = min(depth, min(pa.max(), pb.max()) - max(pa.min(), pb.min()))
    return float(depth)


def _inside(inner: _Box, outer: _Box, tol: float) -> bool:
    x0, y0, x1, y1 = outer.aabb()
    c = inner.corners()
    return bool((c[:, 0] >= x0 - tol).all() and (c[:, 0] <= x1 + tol).all()
                and (c[:, 1] >= y0 - tol).all() and (c[:, 1] <= y1 + tol).all())


@contextmanager
def _drawn_artists() -> Iterator[list]:
    """Records every text, patch, image and legend that a draw really draws (what is hidden, empty,
    outside the view or on an axes turned off is not drawn, so it is not recorded)."""
    drawn: list = []
    classes = (Text, Patch, AxesImage, Legend)
    own = {cls: cls.__dict__.get("draw") for cls in classes}  # None: inherited (AxesImage's)

    def recording(original):
        def draw(self, renderer, *args, **kwargs):
            if self.get_visible():
                drawn.append(self)
            return original(self, renderer, *args, **kwargs)
        return draw

    for cls in classes:
        cls.draw = recording(cls.draw)
    try:
        yield drawn
    finally:
        for cls, original in own.items():
            if original is None:
                del cls.draw
            else:
                cls.draw = original


def _clipped(artist, bbox: Bbox) -> Optional[Bbox]:
    """``bbox`` cut to what ``artist`` is clipped to (None when nothing of it shows)."""
    if not artist.get_clip_on():
        return bbox
    clip = artist.get_clip_box()
    if artist.get_clip_path() is not None:
        clip = artist.get_clip_path().get_fully_transformed_path().get_extents()
    return bbox if clip is None else Bbox.intersection(bbox, clip)


def _text_box(t: Text, renderer) -> Optional[_Box]:
    bbox = t.get_window_extent(renderer)
    if bbox.width <= 0 or bbox.height <= 0:
        return None
    name = f"text {t.get_text()!r}"
    angle = t.get_rotation() % 180
    if min(angle % 90, 90 - angle % 90) < 0.5:  # level or upright: its box is exact
        return _Box.of(name, bbox)
    # slanted: the rectangle of the level text, turned about the centre of its box
    try:
        t.set_rotation(0)
        level = t.get_window_extent(renderer)
    finally:
        t.set_rotation(angle)
    return _Box(name, (bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2, level.width, level.height, angle)


def text_overlaps(fig: Figure, tol_pt: float = OVERLAP_TOL_PT) -> list[str]:
    """What a reader would see as text printed over text or across a line, one sentence each:

    - two visible texts (titles, axis and tick labels, legend entries, annotations, text in boxes)
      whose boxes overlap by more than ``tol_pt`` points;
    - a text that crosses the border of a box, patch or image it is not inside (a label spilling
      out of its FancyBboxPatch, a tick label running into a bar);
    - a text or a legend box that crosses a visible axes spine (a legend sitting on an axes frame);
    - a text under a legend it does not belong to.

    The figure is drawn once to find out; an empty list means it reads cleanly."""
    with _drawn_artists() as drawn:
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    tol = tol_pt * fig.dpi / 72
    axes_of = {id(ax): i for i, ax in enumerate(fig.axes)}
    spine_names = {id(sp): (name, axes_of.get(id(ax), "?")) for ax in fig.axes for name, sp in ax.spines.items()}
    backgrounds = {id(fig.patch)} | {id(ax.patch) for ax in fig.axes}
    legends = [a for a in drawn if isinstance(a, Legend)]
    backgrounds |= {id(leg.legendPatch) for leg in legends}

    texts: list[tuple[Text, _Box]] = []
    seen: set[int] = set()
    for a in drawn:
        if isinstance(a, Text) and id(a) not in seen and a.get_text().strip():
            seen.add(id(a))
            box = _text_box(a, renderer)
            if box is not None:
                texts.append((a, box))

    problems = []
    # text over text: candidate pairs from their boxes' bounds, then the exact (slanted) test
    bounds = np.array([b.aabb() for _, b in texts]).reshape(-1, 4)
    for i in range(len(texts)):
        near = np.nonzero((bounds[i + 1:, 0] < bounds[i, 2] - tol) & (bounds[i + 1:, 2] > bounds[i, 0] + tol)
                          & (bounds[i + 1:, 1] < bounds[i, 3] - tol) & (bounds[i + 1:, 3] > bounds[i, 1] + tol))[0]
        for j in near + i + 1:
            if _depth(texts[i][1].corners(), texts[j][1].corners()) > tol:
                problems.append(f"{texts[i][1].name} overlaps {texts[j][1].name}")

    # text across a box, patch or image border
    boxes = []
    for a in drawn:
        if isinstance(a, (Spine, FancyArrowPatch)) or id(a) in backgrounds or not isinstance(a, (Patch, AxesImage)):
            continue
        extent = _clipped(a, a.get_window_extent(renderer))
        if extent is not None and extent.width > 0 and extent.height > 0:
            boxes.append(_Box.of("an image" if isinstance(a, AxesImage) else f"a {type(a).__name__}", extent))
    for _, tb in texts:
        for box in boxes:
            if _depth(tb.corners(), box.corners()) > tol and not _inside(tb, box, tol):
                problems.append(f"{tb.name} crosses the border of {box.name}")

    # text or legend across an axes spine
    spines = []
    for a in drawn:
        if isinstance(a, Spine) and id(a) in spine_names:
            half = max(a.get_linewidth() * fig.dpi / 72 / 2, 0.5)
            name, k = spine_names[id(a)]
            spines.append(_Box.of(f"the {name} spine of axes {k}", a.get_window_extent(renderer).padded(half)))
    legend_boxes = []
    for k, leg in enumerate(legends):
        frame = leg.legendPatch if leg.get_frame_on() else leg._legend_box
        legend_boxes.append((leg, _Box.of(f"legend {k}", frame.get_window_extent(renderer))))
    for _, b in texts + [(None, lb) for _, lb in legend_boxes]:
        for spine in spines:
            if _depth(b.corners(inset=tol), spine.corners()) > 0:
                problems.append(f"{b.name} crosses {spine.name}")

    # text under a legend it is not part of
    for leg, lb in legend_boxes:
        own = {id(t) for t in leg.texts} | {id(leg.get_title())}
        for t, tb in texts:
            if id(t) not in own and _depth(tb.corners(), lb.corners()) > tol:
                problems.append(f"{tb.name} lies under {lb.name}")
    return problems
