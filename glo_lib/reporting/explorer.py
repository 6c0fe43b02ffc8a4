"""An ipywidgets panel for JupyterLab: pick a training image, a class code and a content-noise
scale (and a run of the noise sweep), and see what the generator makes of them.

The drawing is the plain function ``explore`` (testable, and usable for static report figures);
the panel only calls it. Nothing here draws into the notebook by itself: ``show`` displays the
panel only outside the report build, where widgets cannot be rendered into a PDF.
``HeldoutExplorer`` (drawn by ``explore_heldout``) is notebook 06's panel: a held-out digit, given
codes by trained encoders (``glo_lib.core.encoders``), drawn again and drawn as every digit.
"""
from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence, Union

import ipywidgets as widgets
import torch
from IPython.display import display
from matplotlib.figure import Figure

from ..core.config import GLOConfig
from ..core.data import Digits
from ..core.encoders import Amortized
from ..core.judge import Judge
from ..core.runs import train_or_load
from ..core.train import Run
from ..seeding import seeded_generator
from .display import figure_png, interactive

RunOrLoader = Union[Run, Callable[[], Run]]


def noisy_content(code: torch.Tensor, noise_scale: float, n: int, seed: int = 0) -> torch.Tensor:
    """``n`` copies of a content code plus N(0, noise_scale^2) noise (seeded), one per row."""
    gen = seeded_generator(seed, "explorer-noise")
    code = code.detach().cpu().float()
    return code + noise_scale * torch.randn(n, len(code), generator=gen)


def explore(run: Run, index: int, class_id: int, noise_scale: float = 0.0, n_draws: int = 6,
            seed: int = 0, judge: Optional[Judge] = None) -> Figure:
    """One row: training image ``index``, its reconstruction, its content code as digit ``class_id``,
    and ``n_draws`` versions with content noise of std ``noise_scale`` (the judge's call in titles).

    A plain matplotlib Figure (not registered with pyplot), so a widget callback never
    leaves a figure behind for the notebook to show.
    """
    digits, model = run.digits, run.model.eval()
    n = len(digits.labels)
    if not 0 <= int(index) < n:
        raise ValueError(f"index must be between 0 and {n - 1}, got {index!r}")
    if not 0 <= int(class_id) < digits.n_classes:
        raise ValueError(f"class_id must be between 0 and {digits.n_classes - 1}, got {class_id!r}")
    if not noise_scale >= 0:
        raise ValueError(f"noise_scale must be >= 0, got {noise_scale!r}")
    code = model.content.detach()[int(index)].cpu()
    label = int(digits.labels[int(index)])
    codes = torch.cat([code[None], code[None], noisy_content(code, noise_scale, n_draws, seed)])
    classes = torch.tensor([label, int(class_id)] + [int(class_id)] * n_draws)
    made = model.generate_from_ids(classes, codes).cpu()
    images = torch.cat([digits.images[int(index)][None], made])
    name = digits.class_name
    titles = [f"image {index}\n(a {name(label)})", "reconstruction", f"as a {name(class_id)}"]
    titles += [f"noise {noise_scale:g}\n#{j + 1}" for j in range(n_draws)]
    if judge is not None:
        calls = judge.predict(images).tolist()
        titles = [f"{t}\njudge: {name(c)}" for t, c in zip(titles, calls)]
    return titled_row(images, titles, width=1.15)


def titled_row(images: torch.Tensor, titles: Sequence[str], width: float = 1.0) -> Figure:
    """One row of images, each under its title; a plain Figure (not registered with pyplot)."""
    fig = Figure(figsize=(width * len(images), 1.9))
    axes = fig.subplots(1, len(images))
    for ax, img, title in zip(axes, images, titles):
        ax.imshow(img[0].numpy(), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(title, fontsize=7)
        ax.set_axis_off()
    # fixed margins, cropped by figure_png: tight_layout would draw the figure an extra time,
    # a third of a redraw, and the panel redraws on every move of a slider
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.74, wspace=0.12)
    return fig


def sweep_loaders(cfg: GLOConfig, sigmas: Sequence[float], digits: Digits,
                  current: Optional[Run] = None) -> dict[str, RunOrLoader]:
    """Runs of ``cfg`` at each sigma, keyed by a label; each is loaded (or trained) only when picked."""
    out: dict[str, RunOrLoader] = {}
    if current is not None:
        out[f"sigma = {current.config.noise_std:g} (this notebook's run)"] = current
    for s in sigmas:
        if current is not None and float(s) == current.config.noise_std:
            continue
        c = cfg.replace(noise_std=float(s))
        out[f"sigma = {float(s):g}"] = lambda c=c: train_or_load(c, digits, progress=False)
    return out


class Explorer(widgets.VBox):
    """The panel: run, training image, class code and content-noise scale; the picture follows."""

    def __init__(self, runs: Mapping[str, RunOrLoader], judge: Optional[Judge] = None, n_draws: int = 6,
                 max_noise: float = 2.0):
        if not runs:
            raise ValueError("runs must name at least one run (or a loader of one)")
        self._runs, self._loaded, self.judge, self.n_draws = dict(runs), {}, judge, n_draws
        first = self.get_run(next(iter(self._runs)))
        n = len(first.digits.labels)
        style = {"description_width": "9em"}
        self.run_choice = widgets.Dropdown(options=list(self._runs), description="run", style=style)
        self.index = widgets.IntSlider(0, 0, n - 1, description="training image", style=style)
        self.class_id = widgets.IntSlider(int(first.digits.labels[0]), 0, 9, description="class code", style=style)
        self.noise = widgets.FloatSlider(0.0, min=0.0, max=max_noise, step=0.05, description="content noise",
                                         style=style)
        self.image = widgets.Image(format="png")
        self.status = widgets.Label()
        for w in (self.run_choice, self.index, self.class_id, self.noise):
            w.observe(lambda _change: self.refresh(), names="value")
        super().__init__([self.run_choice, self.index, self.class_id, self.noise, self.image, self.status])
        self.refresh()

    def get_run(self, label: str) -> Run:
        """The run behind ``label``, loaded (or trained) once on first use."""
        if label not in self._loaded:
            entry = self._runs[label]
            self._loaded[label] = entry if isinstance(entry, Run) else entry()
        return self._loaded[label]

    def refresh(self) -> None:
        """Redraw with the current choices (the widgets call this on every change)."""
        run = self.get_run(self.run_choice.value)
        fig = explore(run, self.index.value, self.class_id.value, self.noise.value, self.n_draws,
                      judge=self.judge)
        self.image.value = figure_png(fig, dpi=100)
        label = run.digits.class_name(run.digits.labels[self.index.value])
        self.status.value = (f"{run.name}: image {self.index.value} is a {label}; "
                             f"content noise std {self.noise.value:g} (training sigma {run.config.noise_std:g})")


def show(panel: widgets.Widget) -> None:
    """Display ``panel`` unless the report is being built (a PDF cannot hold a widget).

    Returns None: as a cell's last line it must leave no ``Out[n]: True`` under the panel.
    """
    if interactive():
        display(panel)


def explore_heldout(model: Amortized, images: torch.Tensor, labels: torch.Tensor, index: int,
                    judge: Optional[Judge] = None) -> Figure:
    """Draw your own digit: held-out digit ``index``, its reconstruction from its encoded codes, and
    its encoded content drawn as every digit 0-9 (the judge's call in the titles, when given).

    ``model`` is a trained second stage (``glo_lib.core.encoders``), which gives codes to digits
    it never saw; a plain matplotlib Figure, as ``explore``.
    """
    n = len(labels)
    if not 0 <= int(index) < n:
        raise ValueError(f"index must be between 0 and {n - 1}, got {index!r}")
    image, label = images[int(index)][None].cpu(), int(labels[int(index)])
    n_classes = len(model.classes)
    drawn = torch.cat([image, model.reconstruct(image),
                       model.transfer(image.expand(n_classes, -1, -1, -1), torch.arange(n_classes))])
    titles = [f"held-out {index}\n(a {label})", "encoded and\nredrawn"] + [f"as a {k}" for k in range(n_classes)]
    if judge is not None:
        titles = [f"{t}\njudge: {c}" for t, c in zip(titles, judge.predict(drawn).tolist())]
    return titled_row(drawn, titles)


class HeldoutExplorer(widgets.VBox):
    """The panel of the encoders (notebook 06): pick a digit class and one of its held-out digits,
    and see it encoded, redrawn and drawn as every digit."""

    def __init__(self, model: Amortized, images: torch.Tensor, labels: torch.Tensor,
                 judge: Optional[Judge] = None):
        if len(labels) == 0:
            raise ValueError("images must hold at least one held-out digit")
        self.model, self.images, self.labels, self.judge = model, images, labels.cpu(), judge
        self._moving = False
        style = {"description_width": "9em"}
        present = sorted(set(self.labels.tolist()))
        self.digit = widgets.Dropdown(options=present, value=present[0], description="held-out digit", style=style)
        self.which = widgets.IntSlider(0, 0, 0, description="which one", style=style)
        self.image = widgets.Image(format="png")
        self.status = widgets.Label()
        self.digit.observe(self._new_digit, names="value")
        self.which.observe(self._redraw, names="value")
        super().__init__([self.digit, self.which, self.image, self.status])
        self._new_digit(None)

    def indices(self) -> torch.Tensor:
        """Positions in the pool of the held-out digits of the chosen class."""
        return (self.labels == self.digit.value).nonzero().flatten()

    def _new_digit(self, _change) -> None:
        self._moving = True  # one redraw per choice, not one per slider bound changed on the way
        self.which.value = 0
        self.which.max = len(self.indices()) - 1
        self._moving = False
        self.refresh()

    def _redraw(self, _change) -> None:
        if not self._moving:
            self.refresh()

    def refresh(self) -> None:
        """Redraw with the current choices (the widgets call this on every change)."""
        index = int(self.indices()[self.which.value])
        fig = explore_heldout(self.model, self.images, self.labels, index, judge=self.judge)
        self.image.value = figure_png(fig, dpi=100)
        self.status.value = (f"held-out digit {index} of {len(self.labels)} (a {self.digit.value}; "
                             f"{self.which.value + 1} of {len(self.indices())} of its class)")
