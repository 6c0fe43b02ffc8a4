"""Figures of images: grids, labelled rows, the model diagram.

Each takes data (and an optional ``ax``) and returns the figure; saving is separate.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..core.config import GLOConfig
from ..core.data import class_names_of
from ..notation import LOSS_NAMES, SAMPLER_NAMES
from ..studies.sampling_study import Drawn


def _grid_array(images: torch.Tensor, nrow: int) -> np.ndarray:
    from torchvision.utils import make_grid  # imported late: torchvision takes seconds to load

    grid = make_grid(images.detach().cpu().clamp(0, 1), nrow=nrow, padding=2, pad_value=0.3)
    return grid[0].numpy()


def fig_ax(ax: Optional[plt.Axes], figsize: tuple[float, float]) -> tuple[plt.Figure, plt.Axes]:
    """``ax``'s figure and ``ax``, or a new figure of ``figsize`` with one axes."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def image_grid(images: torch.Tensor, nrow: int = 16, title: Optional[str] = None,
               ax: Optional[plt.Axes] = None) -> plt.Figure:
    """A grid of N x 1 x 28 x 28 images, ``nrow`` per row."""
    rows = int(np.ceil(len(images) / nrow))
    fig, ax = fig_ax(ax, (min(nrow, len(images)) * 0.45 + 0.5, rows * 0.45 + 0.5))
    ax.imshow(_grid_array(images, nrow), cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return fig


#: widest a figure of images is drawn (inches): the PDF prints it at this size, so its labels
#: keep their font size (see display.PRINT_WIDTH_IN)
ROWS_WIDTH_IN = 5.8
#: largest cell of a figure of images (inches): a 28-pixel digit needs no more
MAX_CELL_IN = 0.42
#: font size of row and column labels (points, as printed)
LABEL_PT = 8.5


def image_rows(rows: Mapping[str, torch.Tensor], ax: Optional[plt.Axes] = None,
               title: Optional[str] = None) -> plt.Figure:
    """One labelled row of images per entry (e.g. ground truth, then one row per model), sized to
    print at most ROWS_WIDTH_IN wide with labels of LABEL_PT."""
    names = list(rows)
    ncol = max(len(v) for v in rows.values())
    label_in = 0.2 + 0.07 * max(len(n) for n in names)  # about 0.07 in per character at LABEL_PT
    cell = min(MAX_CELL_IN, (ROWS_WIDTH_IN - label_in) / ncol)
    fig, ax = fig_ax(ax, (ncol * cell + label_in, len(names) * cell + 0.35))
    stacked = torch.cat([_pad(rows[n], ncol) for n in names])
    ax.imshow(_grid_array(stacked, ncol), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([30 * i + 15 for i in range(len(names))], names, fontsize=LABEL_PT)
    ax.tick_params(axis="y", length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout(pad=0.2)
    return fig


def _pad(images: torch.Tensor, n: int) -> torch.Tensor:
    if len(images) >= n:
        return images[:n].cpu()
    return torch.cat([images.cpu(), torch.zeros(n - len(images), *images.shape[1:])])


def model_diagram(cfg: GLOConfig, n_params: Optional[int] = None) -> plt.Figure:
    """Boxes-and-arrows picture of GLO with class and content codes, sized from ``cfg``."""
    fig, ax = plt.subplots(figsize=(5.8, 2.6))  # printed as drawn: the 8.5 pt text stays 8.5 pt
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.set_axis_off()

    def box(x, y, w, h, text, color):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=color, ec="black"))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=LABEL_PT)

    def arrow(a, b):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="->", mutation_scale=12))

    box(0.2, 2.6, 2.2, 0.9, f"class code $e_k$\n({cfg.class_dim}-d, one per digit)", "#cfe2f3")
    box(0.2, 0.5, 2.2, 0.9, f"content code $c_i$\n({cfg.content_dim}-d, one per image)", "#d9ead3")
    box(3.0, 0.5, 1.6, 0.9, f"$+\\,\\mathcal{{N}}(0, {cfg.noise_std:g}^2)$\n(training only)", "#fff2cc")
    box(5.2, 1.5, 1.6, 1.0, "generator G\n" + (f"({n_params:,} weights)" if n_params else ""), "#f4cccc")
    box(7.5, 1.5, 2.3, 1.0, f"image $x_i$\nloss: {LOSS_NAMES.get(cfg.loss, cfg.loss)}", "#eeeeee")
    arrow((2.4, 3.05), (5.2, 2.2))
    arrow((2.4, 0.95), (3.0, 0.95))
    arrow((4.6, 0.95), (5.2, 1.8))
    arrow((6.8, 2.0), (7.5, 2.0))
    ax.text(5.0, 3.8, "codes and generator optimised jointly; no encoder", ha="center", fontsize=LABEL_PT,
            style="italic")
    if cfg.content_decay > 0:
        ax.text(1.3, 0.1, f"L2 penalty {cfg.content_decay:g}$\\cdot\\|c_i\\|^2$", ha="center", fontsize=LABEL_PT)
    return fig


def label_columns(fig: plt.Figure, titles: Sequence[str], cell: int = 30, fontsize: float = LABEL_PT) -> plt.Figure:
    """Put ``titles`` above the columns of a grid drawn by ``image_rows`` (28 px + 2 px padding)."""
    ax = fig.axes[0]
    ax.set_xticks([cell * j + cell / 2 for j in range(len(titles))], list(titles), fontsize=fontsize)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0)
    return fig


def by_class(images: torch.Tensor, classes: torch.Tensor, per_class: int = 4, n_classes: int = 10) -> torch.Tensor:
    """``per_class`` images of each class, laid out so that column k of a 10-wide grid is class k.

    A class with too few images leaves blank (zero) cells.
    """
    rows = []
    for r in range(per_class):
        for k in range(n_classes):
            ids = (classes.cpu() == k).nonzero().flatten()
            rows.append(images[ids[r]] if r < len(ids) else torch.zeros_like(images[0]))
    return torch.stack(rows)


def samplers_figure(drawn: dict[str, Drawn], per_class: int = 4) -> plt.Figure:
    """One panel per sampler: fitted samplers by intended class (column k = digit k); random in draw order."""
    width = ROWS_WIDTH_IN / len(drawn)
    fig, axes = plt.subplots(1, len(drawn), figsize=(ROWS_WIDTH_IN, width * per_class / 10 + 0.4), squeeze=False)
    for ax, (name, d) in zip(axes[0], drawn.items()):
        images = d.images[: per_class * 10] if d.intended is None else by_class(d.images, d.intended, per_class)
        image_grid(images, nrow=10, ax=ax)
        ax.set_title(SAMPLER_NAMES[name], fontsize=LABEL_PT)
    fig.tight_layout(pad=0.3)
    return fig


def transfer_rows_figure(rows: Mapping[str, torch.Tensor]) -> plt.Figure:
    """Rows of a real image followed by its content code as each class, columns titled above with
    the class names the rows carry (``core.data.ByClass``; the digits 0-9 otherwise)."""
    width = len(next(iter(rows.values())))
    names = list(class_names_of(rows))[: width - 1]
    fig = label_columns(image_rows(rows), ["real"] + names)
    if max(map(len, names)) > 2:  # words, not digits: slanted so that neighbours do not overlap
        plt.setp(fig.axes[0].get_xticklabels(), rotation=40, ha="left", rotation_mode="anchor")
    return fig


def path_rows_figure(rows: Mapping[str, torch.Tensor], first: str = "image a", last: str = "image b") -> plt.Figure:
    """Rows of paths between two images (the images at both ends), end columns titled above."""
    width = len(next(iter(rows.values())))
    return label_columns(image_rows(rows), [first] + [""] * (width - 2) + [last])
