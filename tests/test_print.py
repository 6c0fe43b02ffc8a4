"""How figures and numbers print: figures as vector PDFs with embedded fonts, no text over text or
across a border in any figure of the report, shares ticked in percent as the tables print them,
and negative numbers with a true minus sign (U+2212) in tables, prose and figures."""
import base64
import re
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from conftest import ROOT  # noqa: E402
from glo_lib.measures.registry import MINUS, fmt, fmt_mean_std  # noqa: E402
from glo_lib.reporting import charts, display, figures  # noqa: E402
from glo_lib.reporting.display import FigureTextWarning, figure_pdf, text_overlaps  # noqa: E402
from test_figures import REPORT_FIGURES, SHOWN, _bits, _frontier, _images, _measures, _probe_means  # noqa: E402

TEMPLATE = ROOT / "report" / "template"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _pdf_tool(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


def _images_in(pdf: bytes, tmp_path: Path) -> int:
    """Raster images of a PDF (pdfimages -list, soft masks not counted)."""
    rows = _pdf_tool("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    return sum(row.split()[2] == "image" for row in rows)


# --- text over text, text across borders ----------------------------------------------------------

def test_overlapping_texts_are_found():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(0.5, 0.5, "first label", transform=ax.transAxes)
    ax.text(0.52, 0.51, "second label", transform=ax.transAxes)
    ax.text(0.1, 0.1, "far away", transform=ax.transAxes)
    problems = text_overlaps(fig)
    assert problems == ["text 'first label' overlaps text 'second label'"]


def test_a_text_spilling_out_of_its_box_is_found_and_a_fitting_one_is_not():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_axis_off()
    ax.add_patch(FancyBboxPatch((0.1, 0.6), 0.2, 0.2, boxstyle="round,pad=0.01"))
    ax.text(0.2, 0.7, "a label much wider than its box", ha="center", va="center")
    ax.add_patch(FancyBboxPatch((0.1, 0.1), 0.8, 0.2, boxstyle="round,pad=0.01"))
    ax.text(0.5, 0.2, "fits", ha="center", va="center")
    assert text_overlaps(fig) == ["text 'a label much wider than its box' crosses the border of a FancyBboxPatch"]


def test_a_legend_on_an_axes_frame_and_a_label_across_one_are_found():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend(loc="center", bbox_to_anchor=(0.5, 1.0))  # centred on the top spine
    ax.annotate("edge", (1, 1), xytext=(-6, 0), textcoords="offset points")  # runs out over the right spine
    problems = text_overlaps(fig)
    assert "legend 0 crosses the top spine of axes 0" in problems
    assert "text 'edge' crosses the right spine of axes 0" in problems


def test_a_label_across_the_edge_of_a_picture_is_found():
    fig, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(np.zeros((28, 28)))
    ax.set_axis_off()
    ax.text(20, 14, "over the edge")
    assert text_overlaps(fig) == ["text 'over the edge' crosses the border of an image"]


def test_a_text_under_a_legend_is_found():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a line with a long name")
    ax.legend(loc="upper left")
    ax.text(0.04, 0.95, "hidden", transform=ax.transAxes, va="top")
    assert any(p.startswith("text 'hidden'") and "legend 0" in p for p in text_overlaps(fig))


def test_slanted_labels_are_tested_as_slanted_boxes():
    def slanted(rotation):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_xticks(range(12), [f"class name {k}" for k in range(12)], rotation=rotation, ha="right",
                      rotation_mode="anchor")
        fig.canvas.draw()
        first, second = (t.get_window_extent() for t in ax.get_xticklabels()[:2])
        return first.overlaps(second), text_overlaps(fig)

    # at 45 degrees the level boxes around neighbouring labels overlap, the slanted labels do not
    level_overlap, problems = slanted(45)
    assert level_overlap and problems == []
    # at 10 degrees the slanted labels run into each other
    assert any("overlaps" in p for p in slanted(10)[1])


def test_a_clean_chart_reads_cleanly():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([-1, 0, 1], [1, 0, 1], label="a")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("title")
    ax.legend()
    fig.tight_layout()
    assert text_overlaps(fig) == []


@pytest.mark.parametrize("name", SHOWN)
def test_every_report_figure_reads_cleanly(name):
    """The lecturer's three: the diagram's texts stayed in their boxes, the decay figure's legend off
    the axes frames, the frontier's sigma labels off each other; and every other figure."""
    assert text_overlaps(REPORT_FIGURES[name]()) == []


def test_the_figures_checked_are_every_figure_the_notebooks_show():
    shown = set()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(str(nb), as_version=4).cells:
            if cell.cell_type == "code":
                shown |= set(re.findall(r"show_figure\(\s*(?:charts|figures)\.(\w+)\(", cell.source))
    assert shown and shown <= set(SHOWN.values()), shown - set(SHOWN.values())


def test_frontier_labels_of_points_on_one_another_are_one_label_off_the_frame():
    """The smoke build's frontier: two sigmas of one line on one spot, at the corner of the axes."""
    rows = [dict(generator=g, code_init="normal", noise_std=s, mse=m, transfer=t, mse_std=0.0, transfer_std=0.0,
                 non_dominated=False, collapsed=True)
            for g, s, m, t in (("conv", 0.0, 0.23670, 0.1416), ("conv", 1.0, 0.23680, 0.1416),
                               ("course", 0.0, 0.2273, 0.1218), ("course", 1.0, 0.2274, 0.1283))]
    fig = charts.frontier_figure(pd.DataFrame(rows))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "0, 1", "1"]
    assert text_overlaps(fig) == []


def test_model_diagram_boxes_fit_long_texts():
    from glo_lib import GLOConfig

    fig = figures.model_diagram(GLOConfig(class_dim=512, content_dim=256, noise_std=0.125, loss="perceptual"),
                                n_params=123_456_789)
    assert text_overlaps(fig) == []


def test_show_figure_warns_of_text_over_text(monkeypatch):
    monkeypatch.setattr(display, "display", lambda *args, **kwargs: None)
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "one")
    ax.text(0.5, 0.5, "two")
    with pytest.warns(FigureTextWarning, match="text 'one' overlaps text 'two'"):
        display.show_figure(fig, "Crowded.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FigureTextWarning)
        display.show_figure(plt.subplots()[0], "Clean.")


# --- vector figures ---------------------------------------------------------------------------------

def test_a_chart_is_all_vectors_with_its_fonts_embedded(tmp_path):
    pdf = figure_pdf(charts.frontier_figure(_frontier()))
    assert pdf.startswith(b"%PDF") and _images_in(pdf, tmp_path) == 0
    fonts = _pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all(row.split()[-5:-3] == ["yes", "yes"] for row in fonts), fonts  # embedded, subset
    assert all("Type 3" not in row for row in fonts)  # TrueType (pdf.fonttype 42): text stays text
    assert "reconstruction MSE" in _pdf_tool("pdftotext", pdf, tmp_path)
    assert len(pdf) < 60_000


def test_a_grid_of_digits_is_one_image_of_its_own_pixels(tmp_path):
    fig = figures.image_rows({"ground truth": _images(16), "model": _images(16)})
    pdf = figure_pdf(fig)
    rows = _pdf_tool("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    images = [r.split() for r in rows if r.split()[2] == "image"]
    assert [(int(r[3]), int(r[4])) for r in images] == [(16 * 30 + 2, 2 * 30 + 2)]  # 28 px + 2 px padding
    assert fig.axes[0].images[0].get_interpolation() != "none"  # the PNG's drawing is left as it was


def test_the_same_figure_makes_the_same_pdf():
    assert figure_pdf(charts.bits_figure(_bits())) == figure_pdf(charts.bits_figure(_bits()))


def test_show_figure_gives_a_png_and_a_pdf_with_one_caption(monkeypatch):
    shown = []
    monkeypatch.setattr(display, "display", lambda *args, **kwargs: shown.append((args, kwargs)))
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    display.show_figure(charts.bits_figure(_bits()), "Bits.")
    (args, kwargs), = shown
    bundle = args[0]
    assert kwargs == {"raw": True, "metadata": {"caption": "Bits."}}
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert base64.b64decode(bundle["application/pdf"]).startswith(b"%PDF")


def _figure_and_table_notebook(monkeypatch):
    """A notebook with one captioned figure (negative ticks) and one table of negative numbers, as
    show_figure and show_table display them in a build."""
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    outputs = []

    def keep(data, raw=False, metadata=None):
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata or {}))

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot([-2, 2], [-1, 1])
    ax.set_xlabel("shift")
    ax.set_ylabel("change")
    fig.tight_layout()
    monkeypatch.setattr(display, "display", keep)
    display.show_figure(fig, "Negative ticks.")
    display.show_table(pd.DataFrame({"setting": ["a"], "MSE": [fmt_mean_std("mse", -0.0021, 0.0003, sign=True)],
                                     "shift": [-0.25]}), "Negative numbers.", index=False)
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = outputs
    nb = nbformat.v4.new_notebook(metadata={"title": "t", "kernelspec": {"name": "python3", "display_name": "P",
                                                                          "language": "python"}})
    nb.cells = [cell]
    return nb


def test_the_template_prints_the_pdf_in_a_numbered_figure_and_falls_back_to_the_png(monkeypatch):
    from nbconvert import LatexExporter

    nb = _figure_and_table_notebook(monkeypatch)
    png_only = nbformat.v4.new_code_cell("")
    figure = nb.cells[0].outputs[0]
    png_only.outputs = [nbformat.v4.new_output("display_data", data={"image/png": figure.data["image/png"]},
                                               metadata={"caption": "Older."})]
    nb.cells.append(png_only)
    exporter = LatexExporter(template_name="glo", extra_template_basedirs=[str(TEMPLATE)], exclude_input=True)
    latex, resources = exporter.from_notebook_node(nb)
    floats = re.findall(r"\\begin\{figure\}.*?\\end\{figure\}", latex, re.S)
    assert len(floats) == 2
    assert re.search(r"\\adjustimage\{.*\}\{output_\d+_\d+\.pdf\}", floats[0]) and "Negative ticks." in floats[0]
    assert ".png}" in floats[1] and "Older." in floats[1]
    assert any(name.endswith(".pdf") for name in resources["outputs"])


def test_the_pdf_has_vector_figures_and_true_minus_signs(tmp_path, monkeypatch):
    """A real xelatex run: the figure is no raster image, and the minus signs of the figure's ticks and
    of the table print as U+2212 in the fonts of both."""
    from nbconvert import PDFExporter

    exporter = PDFExporter(template_name="glo", extra_template_basedirs=[str(TEMPLATE)], exclude_input=True,
                           exclude_input_prompt=True, exclude_output_prompt=True)
    pdf, _ = exporter.from_notebook_node(_figure_and_table_notebook(monkeypatch), resources={"metadata": {"name": "t"}})
    assert _images_in(pdf, tmp_path) == 0
    text = _pdf_tool("pdftotext", pdf, tmp_path)
    assert f"{MINUS}0.0021 ± 0.0003" in text and f"{MINUS}0.25" in text  # the table
    assert f"{MINUS}2" in text and f"{MINUS}1.0" in text  # the figure's ticks
    assert "-0.0021" not in text and "-0.25" not in text
    fonts = _pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert all(row.split()[-5] == "yes" for row in fonts), fonts  # every font embedded


def test_the_report_prints_its_figures_as_vectors(built_report, tmp_path):
    """The smoke report: its raster images are exactly the pictures inside the PDFs of the figures
    it prints (the digit grids), so no chart and no figure came in as a PNG; and no figure of any
    notebook warned of text over text or across a border."""
    from glo_lib.reporting.build import merge

    pdf, out = built_report
    executed = [out / "executed" / nb.name for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    warned = [o["text"] for path in executed for cell in nbformat.read(str(path), as_version=4).cells
              for o in cell.get("outputs", []) if o.get("output_type") == "stream" and "FigureTextWarning" in o["text"]]
    assert not warned, warned
    printed = [o for cell in merge(executed).cells for o in cell.get("outputs", [])  # what reaches the PDF
               if "caption" in o.get("metadata", {}) and "image/png" in o.get("data", {})]
    assert printed and all("application/pdf" in o["data"] for o in printed)
    inside = sum(_images_in(base64.b64decode(o["data"]["application/pdf"]), tmp_path) for o in printed)
    assert _images_in(pdf.read_bytes(), tmp_path) == inside
    assert inside < len(printed)  # a chart brings no image at all


# --- percent and minus ----------------------------------------------------------------------------

def _tick_texts(axis):
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_ticklabels() if t.get_text()]


def test_accuracy_and_share_axes_are_in_percent_as_the_tables():
    leakage = charts.leakage_figure(_probe_means(), 0.53, 0.05, 0.09, 0.1)
    frontier = charts.frontier_figure(_frontier())
    decay = charts.measures_by_sigma(_measures(), ["content_norm", "transfer_accuracy"], hue="content_decay")
    for axis in (leakage.axes[0].yaxis, leakage.axes[1].yaxis, leakage.axes[2].yaxis, frontier.axes[0].yaxis, decay.axes[1].yaxis):
        ticks = _tick_texts(axis)
        assert ticks and all(t.endswith("%") for t in ticks), ticks
    assert not any(t.endswith("%") for t in _tick_texts(decay.axes[0].yaxis))  # a code norm is no share
    assert not any(t.endswith("%") for t in _tick_texts(frontier.axes[0].xaxis))  # nor an MSE


def test_percent_ticks_take_the_decimals_they_need():
    fig, ax = plt.subplots()
    charts.percent_axis(ax.yaxis)
    ax.set_ylim(0.6, 0.9)
    assert _tick_texts(ax.yaxis)[:2] == ["60%", "65%"]
    ax.set_yticks([0.12, 0.125, 0.13])
    assert _tick_texts(ax.yaxis) == ["12.0%", "12.5%", "13.0%"]


def test_negative_numbers_print_with_a_true_minus_sign():
    assert fmt("content_norm", -0.0123) == f"{MINUS}0.01" and fmt("mse", 0.0123) == "0.0123"
    assert fmt("transfer_accuracy", -0.052, unit=True) == f"{MINUS}5.2%"
    assert fmt_mean_std("mse", -0.002, 0.0004, sign=True) == f"{MINUS}0.0020 ± 0.0004"
    assert fmt_mean_std("mse", 0.002, None, sign=True) == "+0.0020"
    latex = display.latex_table(pd.DataFrame({"a": ["x"], "shift": [-0.5], "n": [-3]}), "c")
    assert f"x & {MINUS}0.5 & {MINUS}3" in latex and r"\begin{tabular}{lrr}" in latex  # still right-aligned


def test_figures_print_a_true_minus_sign():
    fig, ax = plt.subplots()
    ax.plot([-2, 2], [-1, 1])
    assert any(t.startswith(MINUS) for t in _tick_texts(ax.xaxis))
    assert matplotlib.rcParams["axes.unicode_minus"] and display.PDF_RC["axes.unicode_minus"]
    assert np.isfinite(display.print_scale(fig))
