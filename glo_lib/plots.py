"""Plot helpers: each takes data (and an optional ``ax``) and returns the figure."""
from __future__ import annotations

from typing import Mapping, Optional

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .config import GLOConfig


def _grid_array(images: torch.Tensor, nrow: int) -> np.ndarray:
    from torchvision.utils import make_grid  # imported late: torchvision takes seconds to load

    grid = make_grid(images.detach().cpu().clamp(0, 1), nrow=nrow, padding=2, pad_value=0.3)
    return grid[0].numpy()


def _fig_ax(ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def image_grid(images: torch.Tensor, nrow: int = 16, title: Optional[str] = None,
               ax: Optional[plt.Axes] = None) -> plt.Figure:
    """A grid of N x 1 x 28 x 28 images, ``nrow`` per row."""
    rows = int(np.ceil(len(images) / nrow))
    fig, ax = _fig_ax(ax, (min(nrow, len(images)) * 0.45 + 0.5, rows * 0.45 + 0.5))
    ax.imshow(_grid_array(images, nrow), cmap="gray_r", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def image_rows(rows: Mapping[str, torch.Tensor], ax: Optional[plt.Axes] = None,
               title: Optional[str] = None) -> plt.Figure:
    """One labelled row of images per entry (e.g. ground truth, then one row per model)."""
    names = list(rows)
    ncol = max(len(v) for v in rows.values())
    fig, ax = _fig_ax(ax, (ncol * 0.42 + 1.6, len(names) * 0.45 + 0.5))
    stacked = torch.cat([_pad(rows[n], ncol) for n in names])
    ax.imshow(_grid_array(stacked, ncol), cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([30 * i + 15 for i in range(len(names))], names, fontsize=9)
    for s in ax.spines.values():
        s.set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def _pad(images: torch.Tensor, n: int) -> torch.Tensor:
    if len(images) >= n:
        return images[:n].cpu()
    return torch.cat([images.cpu(), torch.zeros(n - len(images), *images.shape[1:])])


def loss_curves(histories: Mapping[str, pd.DataFrame] | pd.DataFrame, y: str = "loss",
                ax: Optional[plt.Axes] = None, hue_title: str = "run",
                logy: bool = False) -> plt.Figure:
    """``y`` per epoch for one history or several named ones (seaborn)."""
    if isinstance(histories, pd.DataFrame):
        histories = {"run": histories}
    df = pd.concat([h.assign(**{hue_title: name}) for name, h in histories.items()])
    fig, ax = _fig_ax(ax, (6, 3.5))
    sns.lineplot(data=df, x="epoch", y=y, hue=hue_title if len(histories) > 1 else None, ax=ax)
    ax.set_ylabel(y.replace("_", " "))
    if logy:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def class_counts(labels: torch.Tensor, ax: Optional[plt.Axes] = None) -> plt.Figure:
    """Bar chart of images per digit."""
    fig, ax = _fig_ax(ax, (5, 2.5))
    counts = np.bincount(np.asarray(labels), minlength=10)
    sns.barplot(x=np.arange(10), y=counts, ax=ax, color="tab:blue")
    ax.set_xlabel("digit")
    ax.set_ylabel("images")
    fig.tight_layout()
    return fig


def model_diagram(cfg: GLOConfig, n_params: Optional[int] = None) -> plt.Figure:
    """Boxes-and-arrows picture of GLO with class and content codes, sized from ``cfg``."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    ax.set_axis_off()

    def box(x, y, w, h, text, color):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=color, ec="black"))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=9)

    def arrow(a, b):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="->", mutation_scale=12))

    box(0.2, 2.6, 2.2, 0.9, f"class code $e_k$\n({cfg.class_dim}-d, one per digit)", "#cfe2f3")
    box(0.2, 0.5, 2.2, 0.9, f"content code $c_i$\n({cfg.content_dim}-d, one per image)", "#d9ead3")
    box(3.0, 0.5, 1.6, 0.9, f"$+\\,\\mathcal{{N}}(0, {cfg.noise_std:g}^2)$\n(training only)", "#fff2cc")
    box(5.2, 1.5, 1.6, 1.0, "generator G\n" + (f"({n_params:,} weights)" if n_params else ""), "#f4cccc")
    box(7.5, 1.5, 2.2, 1.0, f"image $x_i$\nloss: {cfg.loss}", "#eeeeee")
    arrow((2.4, 3.05), (5.2, 2.2))
    arrow((2.4, 0.95), (3.0, 0.95))
    arrow((4.6, 0.95), (5.2, 1.8))
    arrow((6.8, 2.0), (7.5, 2.0))
    ax.text(5.0, 3.7, "codes and generator optimised jointly; no encoder", ha="center", fontsize=9,
            style="italic")
    if cfg.content_decay > 0:
        ax.text(1.3, 0.15, f"L2 penalty {cfg.content_decay:g}$\\cdot\\|c_i\\|^2$", ha="center", fontsize=8)
    return fig


def save_figure(fig: plt.Figure, path, dpi: int = 150) -> None:
    """Saving is separate from plotting."""
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
