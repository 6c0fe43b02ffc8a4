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


#: inner margin of a box of the model diagram around its text (points: horizontal, vertical)
BOX_PAD_PT = (6.0, 4.0)
#: the shortest gap between two columns of boxes of the model diagram (points): room for an arrow
ARROW_GAP_PT = 16.0


def model_diagram(cfg: GLOConfig, n_params: Optional[int] = None) -> plt.Figure:
    """Boxes-and-arrows picture of GLO with class and content codes, sized from ``cfg``.

    Every box is sized from its text as it prints (LABEL_PT, printed as drawn: ROWS_WIDTH_IN
    wide), so that no text reaches a box's border, and the columns share out the width left."""
    width_pt = ROWS_WIDTH_IN * 72
    fig = plt.figure(figsize=(ROWS_WIDTH_IN, 2.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer = fig.canvas.get_renderer()

    def text(label, **kw):
        return ax.text(0, 0, label, ha="center", va="center", fontsize=LABEL_PT, **kw)

    def size_pt(t):  # a text's width and height as printed, in points
        box = t.get_window_extent(renderer)
        return box.width * 72 / fig.dpi, box.height * 72 / fig.dpi

    labels = {"class": f"class code $e_k$\n({cfg.class_dim}-d, one per digit)",
              "content": f"content code $c_i$\n({cfg.content_dim}-d, one per image)",
              "noise": f"$+\\,\\mathcal{{N}}(0, {cfg.noise_std:g}^2)$\n(training only)",
              "generator": "generator G" + (f"\n({n_params:,} weights)" if n_params else ""),
              "image": f"image $x_i$\nloss: {LOSS_NAMES.get(cfg.loss, cfg.loss)}"}
    texts = {k: text(v) for k, v in labels.items()}
    sizes = {k: size_pt(t) for k, t in texts.items()}
    pad_x, pad_y = BOX_PAD_PT
    box_h = max(h for _, h in sizes.values()) + 2 * pad_y  # one height for all: the rows line up
    box_w = {k: w + 2 * pad_x for k, (w, _) in sizes.items()}
    box_w["class"] = box_w["content"] = max(box_w["class"], box_w["content"])  # one column
    columns = [box_w["class"], box_w["noise"], box_w["generator"], box_w["image"]]
    margin = 4.0
    gap = max(ARROW_GAP_PT, (width_pt - 2 * margin - sum(columns)) / (len(columns) - 1))
    width_pt = max(width_pt, sum(columns) + gap * (len(columns) - 1) + 2 * margin)
    left = np.cumsum([margin] + [w + gap for w in columns[:-1]])
    centre_x = {"class": left[0] + columns[0] / 2, "content": left[0] + columns[0] / 2,
                "noise": left[1] + columns[1] / 2, "generator": left[2] + columns[2] / 2,
                "image": left[3] + columns[3] / 2}

    penalty = (text(f"L2 penalty {cfg.content_decay:g}$\\cdot\\|c_i\\|^2$") if cfg.content_decay > 0 else None)
    penalty_h = size_pt(penalty)[1] + 3 if penalty is not None else 0.0
    title = text("codes and generator optimised jointly; no encoder", style="italic")
    bottom = margin + penalty_h + box_h / 2
    top = bottom + 2 * box_h
    middle = (top + bottom) / 2
    centre_y = {"class": top, "content": bottom, "noise": bottom, "generator": middle, "image": middle}
    height_pt = top + box_h / 2 + 6 + size_pt(title)[1] + margin
    fig.set_size_inches(width_pt / 72, height_pt / 72)
    ax.set_xlim(0, width_pt)  # one data unit is one printed point, both ways
    ax.set_ylim(0, height_pt)

    colours = {"class": "#cfe2f3", "content": "#d9ead3", "noise": "#fff2cc", "generator": "#f4cccc",
               "image": "#eeeeee"}
    for k, t in texts.items():
        x, y, w = centre_x[k], centre_y[k], box_w[k]
        ax.add_patch(FancyBboxPatch((x - w / 2, y - box_h / 2), w, box_h, boxstyle="round,pad=0,rounding_size=3",
                                    fc=colours[k], ec="black", lw=0.8))
        t.set_position((x, y))
    title.set_position((width_pt / 2, top + box_h / 2 + 6 + size_pt(title)[1] / 2))
    if penalty is not None:
        penalty.set_position((centre_x["content"], margin + penalty_h / 2))

    def edge(k, side, dy=0.0):  # the middle of a box's left or right side, moved up by dy
        return (centre_x[k] + (box_w[k] / 2 if side == "right" else -box_w[k] / 2), centre_y[k] + dy)

    for a, b in ((edge("class", "right"), edge("generator", "left", box_h / 4)),
                 (edge("content", "right"), edge("noise", "left")),
                 (edge("noise", "right"), edge("generator", "left", -box_h / 4)),
                 (edge("generator", "right"), edge("image", "left"))):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="->", mutation_scale=12, lw=0.9))
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
    fig.tight_layout(pad=0.3, w_pad=1.5)  # the titles, wider than their panels, kept apart
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
