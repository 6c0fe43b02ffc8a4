"""Charts of measures: curves per epoch, measures against sigma, confusions, histograms.

Each takes data (and an optional ``ax``) and returns the figure; saving is separate.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FormatStrFormatter
import torch

from ..core.data import DIGIT_NAMES, class_names_of
from ..measures.registry import MEASURES
from ..notation import SAMPLER_NAMES
from ..studies.sampling_study import Drawn
from .figures import fig_ax


#: font size of every chart's text (points): charts are drawn at the size the PDF prints them
FONT_PT = 8.5
#: the widest a chart is drawn (inches): the PDF prints it at this size (display.PRINT_WIDTH_IN)
CHART_WIDTH_IN = 5.8
#: axis labels of the study's columns
AXIS_NAMES = {"noise_std": "content noise $\\sigma$"}


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
        ax.tick_params(labelsize=FONT_PT)
        ax.grid(alpha=0.3)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for ax in list(axes.flat)[n:]:
        ax.set_axis_off()
    fig.tight_layout(rect=(0, 0, 1, 0.84) if hue else None, pad=0.3, w_pad=0.8)
    if hue:
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, title=HUE_NAMES.get(hue, hue.replace("_", " ")), loc="upper center",
                   ncol=len(labels), bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=FONT_PT,
                   title_fontsize=FONT_PT)
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


def settings_figure(settings: Mapping[str, pd.DataFrame], judge_accuracy: Optional[float] = None,
                    chance: float = 0.1) -> plt.Figure:
    """Against sigma, one line per named measures table (a training setting): the MLP probe reading
    the digit from the content codes (left, dotted: chance) and class-transfer accuracy (right,
    dashed: the judge on real digits, the ceiling). Bands: one std over seeds."""
    fig, axes = plt.subplots(1, 2, figsize=(CHART_WIDTH_IN, 2.7))
    for (name, df), style in zip(settings.items(), ("-", "--", "-.", ":")):
        measure_vs(df, "noise_std", ["probe_mlp"], [name], ax=axes[0], style=style)
        measure_vs(df, "noise_std", ["transfer_accuracy"], [name], ax=axes[1], style=style)
    axes[0].axhline(chance, color="black", ls=":", lw=1)
    axes[0].set_ylabel("MLP probe accuracy", fontsize=FONT_PT)
    axes[0].set_ylim(0, None)  # from 0: a probe at chance must look like one
    axes[1].set_ylabel("class-transfer accuracy", fontsize=FONT_PT)
    if judge_accuracy is not None:
        axes[1].axhline(judge_accuracy, color="grey", ls="--", lw=1)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.1, 1, 1), pad=0.3)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, fontsize=FONT_PT,
               bbox_to_anchor=(0.5, 0.0))
    return fig


def confusion_pair(confusions: Mapping[str, np.ndarray]) -> plt.Figure:
    """One class-transfer confusion heatmap per titled matrix, side by side (classes named as
    ``confusions`` says: ``core.data.ByClass``)."""
    fig, axes = plt.subplots(1, len(confusions), figsize=(8.5, 3.8), squeeze=False)
    for ax, (title, conf) in zip(axes[0], confusions.items()):
        confusion_heatmap(conf, ax=ax, title=title, class_names=class_names_of(confusions))
    fig.tight_layout()
    return fig


def log_training_curves(histories: Mapping[str, pd.DataFrame], hue_title: str = "noise") -> plt.Figure:
    """Training objective (left) and noise-free reconstruction MSE (right) per epoch, log scales,
    one line per named history (the noise study's curves per sigma)."""
    return training_curves(histories, panels=(("loss", "training objective", True),
                                              ("mse", "MSE of noise-free reconstructions", True)),
                           hue_title=hue_title, figsize=(10, 3.6))


def frontier_figure(table: pd.DataFrame, ax: Optional[plt.Axes] = None) -> plt.Figure:
    """Reconstruction MSE (x) against class-transfer accuracy (y), one line per (generator, code
    init) through its sigmas, bars one std over seeds, sigma written at each point, the
    non-dominated points ringed in black and collapsed points crossed out; the legend sits below
    the axes, off the data."""
    fig, ax = fig_ax(ax, (CHART_WIDTH_IN, 3.6))
    for (gen, init), part in table.groupby(["generator", "code_init"], sort=False):
        part = part.sort_values("noise_std")
        bars = ax.errorbar(part["mse"], part["transfer"], xerr=part["mse_std"], yerr=part["transfer_std"],
                           marker="o", ms=4, lw=1, capsize=2, label=f"{gen} generator, {init} init")
        for _, p in part.iterrows():
            ax.annotate(f"{p['noise_std']:g}", (p["mse"], p["transfer"]), textcoords="offset points",
                        xytext=(4, 3), fontsize=FONT_PT, color=bars.lines[0].get_color())
    front = table[table["non_dominated"]]
    ax.scatter(front["mse"], front["transfer"], s=110, facecolors="none", edgecolors="black", lw=1.2,
               label="non-dominated", zorder=3)
    collapsed = table[table["collapsed"]] if "collapsed" in table else table.iloc[:0]
    if not collapsed.empty:
        ax.scatter(collapsed["mse"], collapsed["transfer"], s=90, marker="x", color="black", lw=1.2,
                   label="collapsed (kept off)", zorder=3)
    ax.set_xlabel("reconstruction MSE (lower is better)", fontsize=FONT_PT)
    ax.set_ylabel("class-transfer accuracy", fontsize=FONT_PT)
    ax.tick_params(labelsize=FONT_PT)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=FONT_PT, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout(pad=0.3)
    return fig


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
