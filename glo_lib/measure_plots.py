"""Plots of measures across a sweep (take data, optional ax, return the figure)."""
from __future__ import annotations

from typing import Optional, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def measure_vs(df: pd.DataFrame, x: str, columns: Sequence[str], labels: Optional[Sequence[str]] = None,
               ax: Optional[plt.Axes] = None, chance: Optional[float] = None, style: str = "-",
               title: Optional[str] = None) -> plt.Figure:
    """Mean of each column against ``x`` with a band of one std over the other rows (seeds)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    fig = ax.figure
    for col, label in zip(columns, labels or columns):
        g = df.groupby(x)[col]
        mean, std = g.mean(), g.std(ddof=1).fillna(0.0)  # sample std over seeds
        line, = ax.plot(mean.index, mean.values, style, marker="o", label=label)
        ax.fill_between(mean.index, mean - std, mean + std, alpha=0.2, color=line.get_color())
    if chance is not None:
        ax.axhline(chance, color="black", ls=":", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xlabel({"noise_std": "noise sigma"}.get(x, x.replace("_", " ")))
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def confusion_heatmap(confusion: np.ndarray, ax: Optional[plt.Axes] = None,
                      title: Optional[str] = None) -> plt.Figure:
    """Rows: class code used; columns: the judge's call; cells: share of the row."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 3.6))
    shares = confusion / confusion.sum(axis=1, keepdims=True).clip(min=1)
    labels = np.where(shares >= 0.05, np.vectorize(lambda v: f"{v:.2f}")(shares), "")
    sns.heatmap(shares, vmin=0, vmax=1, cmap="Blues", annot=labels, fmt="",
                annot_kws={"fontsize": 6}, cbar=False, ax=ax, square=True)
    ax.set_xlabel("judge's digit")
    ax.set_ylabel("class code")
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure
