"""The Table 1 run's words (notebook 01): the data and the trained run in sentences, the captions,
and the numbers of the report's floats and sections that other sentences name."""
from __future__ import annotations

from ..core.data import Digits
from ..core.train import Run

#: the labels of the tables, figures and sections that sentences refer to (given where each is shown:
#: ``show_table(..., label=...)``, ``show_figure(..., label=...)``, a heading's ``<a id="sec:..."></a>``);
#: the report build numbers them and prints "Table 3" for each reference (``reporting.display``)
LABELS = {
    "table1": "tab:table1", "judges": "tab:judges", "noise": "tab:noise-sweep", "decay": "tab:decay",
    "losses": "tab:losses", "samplers": "tab:samplers", "stage2": "tab:stage2",
    "reconstructions": "fig:reconstructions", "noise_reconstructions": "fig:noise-reconstructions",
    "decay_figure": "fig:decay", "frontier_figure": "fig:frontier", "loss_curves": "fig:loss-curves",
    "methods": "sec:methods", "noise_shape": "sec:noise-shape", "frontier": "sec:frontier",
    "sampling_section": "sec:sampling",
}
#: how a reference reads where it is not resolved (JupyterLab): the kind of what it names
_KINDS = {"tab": "Table", "fig": "Figure", "sec": "Section"}


def ref(label: str) -> str:
    """The reference to ``label`` as prose writes it: a Markdown link, ``[Table](#tab:noise-sweep)``."""
    return f"[{_KINDS[label.split(':')[0]]}](#{label})"


#: the references to LABELS, by the same keys
REFS = {key: ref(label) for key, label in LABELS.items()}


def data_sentence(digits: Digits) -> str:
    """How many training digits, how evenly spread over the classes, and how many held out."""
    counts = digits.labels.bincount(minlength=digits.n_classes)
    names = "" if digits.noun == "digits" else f" of {digits.n_classes} classes ({', '.join(digits.class_names)})"
    return (f"The training set holds {len(digits.labels)} {digits.noun}{names}, between {int(counts.min())} and "
            f"{int(counts.max())} per class; {len(digits.heldout_labels)} other real {digits.noun} are held out.")


def training_sentence(run: Run) -> str:
    """What the trained run is shown with; its error lives in the noise study's table (one source)."""
    cfg = run.config
    return (f"After {cfg.epochs} epochs the generator redraws its training digits from their two codes "
            f"({REFS['reconstructions']}, without content noise). Its reconstruction error, over seeds, is the "
            f"$\\sigma$ = {cfg.noise_std:g} row of {REFS['noise']}.")


DIAGRAM_CAPTION = ("GLO with class and content codes: the class code is shared by a digit class, the content "
                   "code belongs to one image and is blurred by Gaussian noise while training.")
TABLE1_CAPTION = ("The default run as this build trains it. The rows from the course are the settings of the course "
                  "report's Table 1, at the values this build ran; the open rows are choices the course left to us, "
                  f"made here by measurement ({REFS['frontier']}).")
RECONSTRUCTION_CAPTION = ("Sixteen training digits (top) and their reconstructions by the trained generator, "
                          "without content noise (bottom).")


def digits_caption(digits: Digits, seed: int) -> str:
    """Caption of the grid of the first 64 training digits."""
    return f"The first 64 of the {len(digits.labels)} real training digits (seed {seed})."


def curves_caption(loss: str) -> str:
    """Caption of the training curves (the loss as the config names it)."""
    return f"Training loss ({loss}, left) and reconstruction MSE (right) per epoch."


#: the caption of notebook 06's parameter table (``studies.table1_run.settings_table``)
STAGE2_CAPTION = ("The settings of the second stage; the stage-1 run gives its loss, content "
                  "noise $\\sigma$ and decay.")
