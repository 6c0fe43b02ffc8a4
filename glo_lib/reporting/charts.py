"""Charts of measures: curves per epoch, measures against sigma, confusions, histograms.

Each takes data (and an optional ``ax``) and returns the figure; saving is separate.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox
from matplotlib.ticker import FixedLocator, FormatStrFormatter, PercentFormatter
import torch

from ..core.data import DIGIT_NAMES, class_names_of
from ..measures.registry import MEASURES, measure
from ..notation import SAMPLER_NAMES
from ..studies.content_probe import LEARNING, PUSH_MSE, TABLE1, TARGET_TRANSFER
from ..studies.sampling_study import Drawn
from .figures import fig_ax


#: font size of every chart's text (points): charts are drawn at the size the PDF prints them
FONT_PT = 8.5
#: the widest a chart is drawn (inches): the PDF prints it at this size (display.PRINT_WIDTH_IN)
CHART_WIDTH_IN = 5.8
#: axis labels of the study's columns
AXIS_NAMES = {"noise_std": "content noise $\\sigma$"}
#: space between a figure legend's band and the axes (points)
LEGEND_GAP_PT = 4.0


def legend_band(fig: plt.Figure, handles: Sequence, labels: Sequence[str], where: str = "top",
                pad: float = 0.3, w_pad: Optional[float] = None, **kwargs) -> Legend:
    """A figure legend in a band of its own above (``where="top"``) or below all the axes: it is
    drawn first, and the axes with their labels are laid out (tight_layout) in the rest of the
    figure, so that the legend can touch neither an axes frame nor a label. ``kwargs`` go to
    ``fig.legend`` (ncol, title, ...)."""
    top = where == "top"
    kwargs = {"frameon": False, "fontsize": FONT_PT, "title_fontsize": FONT_PT, "ncol": len(labels), **kwargs}
    legend = fig.legend(handles, labels, loc="upper center" if top else "lower center",
                        bbox_to_anchor=(0.5, 1.0 if top else 0.0), borderaxespad=0.2, **kwargs)
    height = legend.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi  # inches
    band = min(0.5, (height + LEGEND_GAP_PT / 72) / fig.get_figheight())
    fig.tight_layout(rect=(0, 0, 1, 1 - band) if top else (0, band, 1, 1), pad=pad, w_pad=w_pad)
    return legend


def measure_vs(df: pd.DataFrame, x: str, columns: Sequence[str], labels: Optional[Sequence[str]] = None,
               ax: Optional[plt.Axes] = None, chance: Optional[float] = None, style: str = "-",
               title: Optional[str] = None) -> plt.Figure:
    """Mean of each column against ``x`` with a band of one std over the other rows (seeds)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.5, 3))
    fig = ax.figure
    for col, label in zip(columns, labels or columns):
        g = df.groupby(x)[col]
        mean, std = g.mean(), g.std(ddof=1).fillna(0.0)  # sample std over seeds
        line, = ax.plot(mean.index, mean.values, style, marker="o", ms=4, label=label)
        ax.fill_between(mean.index, mean - std, mean + std, alpha=0.2, color=line.get_color())
    if chance is not None:
        ax.axhline(chance, color="black", ls=":", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xlabel(AXIS_NAMES.get(x, x.replace("_", " ")), fontsize=FONT_PT)
    ax.tick_params(labelsize=FONT_PT)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title, fontsize=FONT_PT + 0.5)
    return fig


def confusion_heatmap(confusion: np.ndarray, ax: Optional[plt.Axes] = None,
                      title: Optional[str] = None, class_names: Sequence[str] = DIGIT_NAMES) -> plt.Figure:
    """Rows: class code used; columns: the judge's call; cells: share of the row; both axes
    ticked with ``class_names``."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 3.6))
    shares = confusion / confusion.sum(axis=1, keepdims=True).clip(min=1)
    labels = np.where(shares >= 0.05, np.vectorize(lambda v: f"{v:.2f}")(shares), "")
    sns.heatmap(shares, vmin=0, vmax=1, cmap="Blues", annot=labels, fmt="", annot_kws={"fontsize": 6},
                cbar=False, ax=ax, square=True, xticklabels=class_names, yticklabels=class_names)
    if tuple(class_names) != DIGIT_NAMES:  # names longer than a digit: turned to fit under their column
        ax.tick_params(axis="x", labelrotation=60, labelsize=7)
        ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("judge's digit" if tuple(class_names) == DIGIT_NAMES else "judge's class")
    ax.set_ylabel("class code")
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure


def loss_curves(histories: Mapping[str, pd.DataFrame] | pd.DataFrame, y: str = "loss",
                ax: Optional[plt.Axes] = None, hue_title: str = "run",
                logy: bool = False) -> plt.Figure:
    """``y`` per epoch for one history or several named ones (seaborn)."""
    if isinstance(histories, pd.DataFrame):
        histories = {"run": histories}
    df = pd.concat([h.assign(**{hue_title: name}) for name, h in histories.items()])
    fig, ax = fig_ax(ax, (6, 3.5))
    sns.lineplot(data=df, x="epoch", y=y, hue=hue_title if len(histories) > 1 else None, ax=ax)
    ax.set_ylabel(y.replace("_", " "))
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def class_counts(labels: torch.Tensor, ax: Optional[plt.Axes] = None) -> plt.Figure:
    """Bar chart of images per digit."""
    fig, ax = fig_ax(ax, (5, 2.5))
    counts = np.bincount(np.asarray(labels), minlength=10)
    sns.barplot(x=np.arange(10), y=counts, ax=ax, color="tab:blue")
    ax.set_xlabel("digit")
    ax.set_ylabel("images")
    fig.tight_layout()
    return fig


def measures_by_sigma(rows: pd.DataFrame, measures: Sequence[str], hue: Optional[str] = None,
                      chance: Optional[float] = None, ncols: int = 3) -> plt.Figure:
    """One panel per measure against sigma; points are seed means, bars the spread over seeds
    (one standard deviation). A dashed line marks chance on the probe panels."""
    n = len(measures)
    nrows = -(-n // ncols)
    width = CHART_WIDTH_IN / min(ncols, n)
    fig, axes = plt.subplots(nrows, min(ncols, n), figsize=(CHART_WIDTH_IN, 0.85 * width * nrows + 0.3),
                             squeeze=False)
    data = rows.copy()
    if hue:
        data[hue] = data[hue].map(lambda v: f"{v:g}")
    for ax, m in zip(axes.flat, measures):
        sns.pointplot(data=data, x="noise_std", y=m, hue=hue, errorbar="sd", native_scale=True,
                      ax=ax, dodge=0.02 if hue else False, markersize=3, linewidth=1.1, capsize=0.05)
        if chance is not None and m.startswith("probe"):
            ax.axhline(chance, ls="--", c="grey", lw=1)
            # from 0, so that a probe at chance looks like one, not like a trend in the noise
            ax.set_ylim(0, max(3 * chance, float(data[m].max()) + 0.05))
        ax.set_xlabel(AXIS_NAMES["noise_std"], fontsize=FONT_PT)
        ax.set_ylabel(MEASURES[m].words if m in MEASURES else m, fontsize=FONT_PT)
        if m in MEASURES and MEASURES[m].unit == "%":  # a share: in percent, as the tables print it
            percent_axis(ax.yaxis)
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(alpha=0.3)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    if hue:  # one legend for all panels, in a band above them
        handles, labels = axes.flat[0].get_legend_handles_labels()
        legend_band(fig, handles, labels, "top", w_pad=0.8, title=HUE_NAMES.get(hue, hue.replace("_", " ")))
    else:
        fig.tight_layout(pad=0.3, w_pad=0.8)
    return fig


#: legend titles of the study's columns
HUE_NAMES = {"content_decay": "content decay $\\lambda$"}


def path_agreement_figure(content: pd.DataFrame, classes: pd.DataFrame,
                          axes: Optional[Sequence[plt.Axes]] = None) -> plt.Figure:
    """Left: judge agreement with the fixed class along content paths; right: calls along class paths."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    fig = axes[0].figure
    axes[0].plot(content.t, content.agreement, marker="o")
    axes[0].set_title("content path, class fixed", fontsize=10)
    axes[0].set_ylabel("share of frames")
    for name in ("class a", "class b", "another digit"):
        axes[1].plot(classes.t, classes[name], marker="o", label=name)
    axes[1].set_title("class path a -> b, content fixed", fontsize=10)
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel("t (position on the path)")
        ax.set_ylim(-0.03, 1.03)
        percent_axis(ax.yaxis)  # shares of frames, in percent as the tables print shares
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def judged_classes_figure(drawn: dict[str, Drawn]) -> plt.Figure:
    """How often the judge calls each digit, per sampler (a sampler covering all digits is flat)."""
    fig, axes = plt.subplots(1, len(drawn), figsize=(3.6 * len(drawn), 2.6), squeeze=False, sharey=True)
    for ax, (name, d) in zip(axes[0], drawn.items()):
        class_counts(d.judged, ax=ax)
        ax.set_title(SAMPLER_NAMES[name], fontsize=9)
        ax.set_xlabel("digit called by the judge")
    fig.tight_layout()
    return fig


def training_curves(histories: Mapping[str, pd.DataFrame] | pd.DataFrame,
                    panels: Sequence[tuple[str, str, bool]] = (("loss", "training objective", False),
                                                               ("mse", "MSE of noise-free reconstructions", False)),
                    hue_title: str = "run", figsize: tuple[float, float] = (10, 3.5)) -> plt.Figure:
    """One panel per (column, title, log scale) of ``panels``: that column per epoch for each history."""
    fig, axes = plt.subplots(1, len(panels), figsize=figsize)
    for ax, (column, title, logy) in zip(axes, panels):
        loss_curves(histories, y=column, ax=ax, hue_title=hue_title, logy=logy)
        ax.set_title(title)
    fig.tight_layout()
    return fig


def log_training_curves(histories: Mapping[str, pd.DataFrame], hue_title: str = "noise") -> plt.Figure:
    """Training objective (left) and noise-free reconstruction MSE (right) per epoch, log scales,
    one line per named history (the noise study's curves per sigma)."""
    return training_curves(histories, panels=(("loss", "training objective", True),
                                              ("mse", "MSE of noise-free reconstructions", True)),
                           hue_title=hue_title, figsize=(10, 3.6))


def frontier_figure(table: pd.DataFrame, ax: Optional[plt.Axes] = None) -> plt.Figure:
    """Reconstruction MSE (x) against class-transfer accuracy (y, in percent), one line per
    (generator, code init) through its sigmas, bars one std over seeds, sigma written beside each
    point (where it touches no other label, point or the frame; points of a line that lie on one
    another share one label, "0, 1"), the non-dominated points ringed in black and collapsed points
    crossed out; the legend sits in a band below the axes, off the data."""
    fig, ax = fig_ax(ax, (CHART_WIDTH_IN, 3.6))
    labels = []
    for (gen, init), part in table.groupby(["generator", "code_init"], sort=False):
        part = part.sort_values("noise_std")
        bars = ax.errorbar(part["mse"], part["transfer"], xerr=part["mse_std"], yerr=part["transfer_std"],
                           marker="o", ms=4, lw=1, capsize=2, label=f"{gen} generator, {init} init")
        labels.append(([(p["mse"], p["transfer"], f"{p['noise_std']:g}") for _, p in part.iterrows()],
                       bars.lines[0].get_color()))
    front = table[table["non_dominated"]]
    ax.scatter(front["mse"], front["transfer"], s=110, facecolors="none", edgecolors="black", lw=1.2,
               label="non-dominated", zorder=3)
    collapsed = table[table["collapsed"]] if "collapsed" in table else table.iloc[:0]
    if not collapsed.empty:
        ax.scatter(collapsed["mse"], collapsed["transfer"], s=90, marker="x", color="black", lw=1.2,
                   label="collapsed (kept off)", zorder=3)
    ax.set_xlabel("reconstruction MSE (lower is better)", fontsize=FONT_PT)
    ax.set_ylabel("class-transfer accuracy", fontsize=FONT_PT)
    percent_axis(ax.yaxis)
    ax.tick_params(labelsize=FONT_PT)
    ax.grid(alpha=0.3)
    ax.margins(0.08)
    handles, names = ax.get_legend_handles_labels()
    legend_band(fig, handles, names, "bottom", ncol=2)
    label_points(ax, labels, fontsize=FONT_PT)  # once the layout is final: placed in display space
    return fig


#: where a point's label may go, tried in this order: (dx, dy) in units of the offset, and the
#: label's alignment there (beside the point, then above or below it)
_LABEL_SPOTS = ((1, 1, "left", "bottom"), (1, -1, "left", "top"), (-1, 1, "right", "bottom"),
                (-1, -1, "right", "top"), (1.4, 0, "left", "center"), (-1.4, 0, "right", "center"),
                (0, 1.4, "center", "bottom"), (0, -1.4, "center", "top"))


def label_points(ax: plt.Axes, series: Sequence[tuple[Sequence[tuple[float, float, str]], str]],
                 fontsize: float = FONT_PT, offset_pt: float = 4.5, merge_pt: float = 12.0) -> list:
    """Write a label beside each point: ``series`` holds, per line, its points (x, y, text) and
    its colour. Points of one line closer than ``merge_pt`` to the first of them share one label
    ("0, 1", at their middle), which could not be told apart otherwise; each label
    takes the first spot (_LABEL_SPOTS, at 1, 2 and 3 times ``offset_pt``) inside the axes that
    covers no label placed before it and no point, else one that covers no label. Call it once
    the figure's layout is final: the spots are found in display space. Returns the annotations."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    ax.autoscale_view()
    to_px = fig.dpi / 72
    frame = ax.get_window_extent(renderer).padded(-1.5 * to_px)
    groups = []  # (x, y, text, colour): one per label
    every = []  # every point in display space
    for points, colour in series:
        shown = [(x, y, t, *ax.transData.transform((x, y))) for x, y, t in points if np.isfinite([x, y]).all()]
        every += [(px, py) for *_, px, py in shown]
        merged: list[list] = []  # [texts, display positions]: a label at the middle of its points
        for x, y, t, px, py in shown:
            near = next((g for g in merged if np.hypot(px - g[1][0][0], py - g[1][0][1]) < merge_pt * to_px), None)
            if near is None:
                merged.append([[t], [(px, py)]])
            else:
                near[0].append(t)
                near[1].append((px, py))
        for ts, at in merged:
            x, y = ax.transData.inverted().transform(np.mean(at, axis=0))
            groups.append((x, y, ", ".join(ts), colour))
    marker = 3.0 * to_px
    dots = [Bbox.from_extents(px - marker, py - marker, px + marker, py + marker) for px, py in every]
    placed, annotations = [], []
    for x, y, text, colour in groups:
        ann = ax.annotate(text, (x, y), textcoords="offset points", xytext=(0, 0), fontsize=fontsize, color=colour)
        spots = []
        for scale in (1, 2, 3):
            for dx, dy, ha, va in _LABEL_SPOTS:
                ann.set(position=(dx * offset_pt * scale, dy * offset_pt * scale), ha=ha, va=va)
                box = ann.get_window_extent(renderer)
                spots.append(((dx, dy, ha, va, scale), box, frame.containsx(box.x0) and frame.containsx(box.x1)
                              and frame.containsy(box.y0) and frame.containsy(box.y1)))
        free = [(spot, box) for spot, box, inside in spots if inside
                and not any(box.overlaps(b) for b in placed)]
        clear = [(spot, box) for spot, box in free if not any(box.overlaps(d) for d in dots)]
        (dx, dy, ha, va, scale), box = (clear or free or [(s, b) for s, b, _ in spots])[0]
        ann.set(position=(dx * offset_pt * scale, dy * offset_pt * scale), ha=ha, va=va)
        placed.append(box.padded(1.0 * to_px))
        annotations.append(ann)
    return annotations


class PercentTicks(PercentFormatter):
    """Shares (values in [0, 1]) ticked in percent with as few decimals as the ticks need, the
    same for every tick: "20%", "12.5%", never "90.0%" beside a step of ten points."""

    def __init__(self):
        super().__init__(xmax=1.0)

    def format_ticks(self, values):
        ticks = [100 * v for v in values]
        self.decimals = next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-6 for t in ticks)), 4)
        return super().format_ticks(values)


def percent_axis(axis) -> None:
    """Tick ``axis`` of a share or an accuracy (values in [0, 1]) in percent, as the tables print
    shares: 0.25 reads "25%"."""
    axis.set_major_formatter(PercentTicks())


def bits_figure(bits: pd.DataFrame, ax: Optional[plt.Axes] = None) -> plt.Figure:
    """Bits a content code can carry through the noise against sigma (log scale), one line per
    (generator, code init), and the log2(n) bits needed to tell the training images apart."""
    fig, ax = fig_ax(ax, (CHART_WIDTH_IN, 2.6))
    shown = bits[bits["noise_std"] > 0]
    for (gen, init), part in shown.groupby(["generator", "code_init"], sort=False):
        part = part.sort_values("noise_std")
        ax.plot(part["noise_std"], part["bits"], marker="o", ms=4, label=f"{gen} generator, {init} init")
    needed = bits["bits_needed"].iloc[0]
    ax.axhline(needed, color="black", ls="--", lw=1, label=f"$\\log_2 n$ = {needed:.0f} bits")
    ax.set_yscale("log")
    for axis in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):
        axis(FormatStrFormatter("%g"))  # 10, 20, 30 bits, not 1 x 10^1, 2 x 10^1
    ax.set_xlabel(AXIS_NAMES["noise_std"], fontsize=FONT_PT)
    ax.set_ylabel("bits per content code", fontsize=FONT_PT)
    ax.tick_params(labelsize=FONT_PT, which="both")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=FONT_PT)
    fig.tight_layout(pad=0.3)
    return fig


def encoder_history_figure(history: pd.DataFrame) -> plt.Figure:
    """Both phases of the encoders' training, epoch by epoch (dashed line: fine-tuning starts).
    Left: share of the stage-1 codes' variance the encoded training codes miss (log scale);
    right: MSE of the training digits drawn from their encoded codes."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    x = np.arange(1, len(history) + 1)
    for col, label in (("class_code_error", "class codes"), ("content_code_error", "content codes")):
        axes[0].plot(x, history[col].clip(lower=1e-6), label=label)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("variance missed")
    drawn = history["mse"].notna().to_numpy()
    axes[1].plot(x[drawn], history["mse"][drawn], color="black", marker=".")
    axes[1].set_ylabel("MSE, training digits")
    start = int((history["phase"] == "regression").sum())
    for ax in axes:
        if start < len(history):
            ax.axvline(start + 0.5, color="grey", ls="--", lw=1)
        ax.set_xlabel("epoch (regression, then fine-tuning)")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --- the adversarial content probe (notebook 05): question 6.2 in one figure ----------------------

#: one colour per regime
COLOURS = {TABLE1: "tab:blue", LEARNING: "tab:orange"}
#: the x axis: sigma on a scale linear up to LINTHRESH and logarithmic above, so 0 and 4 both fit
LINTHRESH = 0.3


#: the sigmas whose ticks are labelled (where swept); the others get an unlabelled tick, since on
#: the symlog axis 0.1 sits by 0 and 0.7 by 1
LABELLED = (0.0, 0.3, 1.0, 2.0, 4.0)


def _sigma_axis(ax, sigmas) -> None:
    """sigma on a symlog x axis ticked at the swept values, the y axis in percent."""
    ax.set_xscale("symlog", linthresh=LINTHRESH, linscale=1.0)
    major = [s for s in sorted(sigmas) if s in LABELLED]
    ax.xaxis.set_major_locator(FixedLocator(major))
    ax.xaxis.set_minor_locator(FixedLocator([s for s in sigmas if s not in LABELLED]))
    ax.set_xticklabels([f"{s:g}" for s in major])
    ax.set_xlabel("$\\sigma$")
    percent_axis(ax.yaxis)


def _curve(ax, means: pd.DataFrame, column: str, style: str = "-", label: bool = True) -> None:
    """``column`` against sigma for each regime without the adversary (95% intervals as bars);
    collapsed settings drawn hollow; the adversary's settings as triangles."""
    for regime, colour in COLOURS.items():
        rows = means[(means["regime"] == regime)].sort_values("noise_std")
        plain, adv = rows[rows["adversary_weight"] == 0], rows[rows["adversary_weight"] > 0]
        if plain.empty:
            continue
        ax.errorbar(plain["noise_std"], plain[column], yerr=plain[f"{column}_ci"], color=colour, ls=style, lw=1.4,
                    capsize=2.5, marker="o", ms=4, label=regime if label else None)
        gone = plain[plain["collapsed"]]
        ax.scatter(gone["noise_std"], gone[column], s=46, facecolor="white", edgecolor=colour, zorder=3, lw=1.3)
        if style == "-" and not adv.empty:
            ax.errorbar(adv["noise_std"], adv[column], yerr=adv[f"{column}_ci"], color=colour, ls="none",
                        marker="^", ms=7, mfc="white", capsize=2.5)


def leakage_figure(means: pd.DataFrame, floor: float, floor_ci: float, null: float, chance: float) -> plt.Figure:
    """Three panels and a legend: (a) the MLP probe on the clean codes (solid) and on the noisy ones
    (dashed), against the style floor (grey band) and the permutation null (dotted); (b) how often a
    content code drawn with the class-blind code is read as its own digit (chance dotted); (c) every
    setting's MSE and class transfer with the frontier push's target shaded."""
    fig, axes = plt.subplots(2, 2, figsize=(7.0, 6.6))
    (a, b), (c, key) = axes
    sigmas = means["noise_std"].unique()
    _curve(a, means, "probe_mlp")
    _curve(a, means, "noisy_probe_mlp", style="--", label=False)
    a.axhspan(floor - (floor_ci if floor_ci == floor_ci else 0), floor + (floor_ci if floor_ci == floor_ci else 0),
              color="0.85", zorder=0)
    a.axhline(floor, color="0.55", lw=1)
    a.axhline(null, color="black", ls=":", lw=1)
    a.set_ylim(0, max(floor * 1.25, means["probe_mlp"].max() * 1.15))
    a.set_ylabel("MLP probe accuracy")
    a.set_title("(a) class read from the content codes", fontsize=10)
    _sigma_axis(a, sigmas)

    _curve(b, means, "class_blind_source")
    b.axhline(chance, color="black", ls=":", lw=1)
    b.set_ylabel("read as the source's own digit")
    b.set_title("(b) drawn with the class-blind code", fontsize=10)
    _sigma_axis(b, sigmas)

    for (regime, weight, collapsed), rows in means.groupby(["regime", "adversary_weight", "collapsed"]):
        colour = COLOURS[regime]
        c.errorbar(rows["mse"], rows["transfer_accuracy"], xerr=rows["mse_ci"], yerr=rows["transfer_accuracy_ci"],
                   ls="none", marker="^" if weight else "o", ms=6 if weight else 4.5, color=colour,
                   mfc="white" if collapsed or weight else colour, capsize=2)
    top = max(1.0, means["transfer_accuracy"].max() + 0.01)
    c.add_patch(Rectangle((0, TARGET_TRANSFER), PUSH_MSE, top - TARGET_TRANSFER, color="tab:green", alpha=0.15, lw=0))
    c.set_xlim(0, max(means["mse"].max() * 1.08, PUSH_MSE * 1.5))
    c.set_xlabel(measure("mse").words)
    c.set_ylabel(measure("transfer_accuracy").words)
    percent_axis(c.yaxis)
    c.set_title("(c) every setting", fontsize=10)

    handles = [Line2D([], [], color=COLOURS[TABLE1], marker="o", ms=4, label=TABLE1),
               Line2D([], [], color=COLOURS[LEARNING], marker="o", ms=4, label=LEARNING),
               Line2D([], [], color="0.3", ls="--", label="(a) on the noisy codes $c + \\epsilon$"),
               Line2D([], [], color="0.3", marker="^", mfc="white", ls="none", ms=7, label="with the adversary"),
               Line2D([], [], color="0.3", marker="o", mfc="white", ls="none", ms=6, label="collapsed"),
               Rectangle((0, 0), 1, 1, color="0.85", label="(a) style floor"),
               Line2D([], [], color="black", ls=":", label="(a) null, (b) chance"),
               Rectangle((0, 0), 1, 1, color="tab:green", alpha=0.15, label="(c) the target")]
    key.axis("off")
    key.legend(handles=handles, loc="center", frameon=False, fontsize=9.5)
    fig.tight_layout()
    return fig
