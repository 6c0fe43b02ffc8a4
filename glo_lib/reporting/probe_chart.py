"""The figure that answers the course's question 6.2 (notebook 05): how much class the content code
holds and passes to the generator, against sigma, in both regimes, with the adversary beside the
noise, and where every setting lands on the MSE / class-transfer plane."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator

from ..measures.registry import measure
from .charts import percent_axis
from ..studies.content_probe import LEARNING, PUSH_MSE, TABLE1, TARGET_TRANSFER

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


def leakage_figure(means: pd.DataFrame, floor: float, floor_ci: float, null: float, chance: float) -> Figure:
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
    key.legend(handles=handles, loc="center", frameon=False, fontsize=9)
    fig.tight_layout()
    return fig
