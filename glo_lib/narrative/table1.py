"""The Table 1 run's words (notebook 01): the data and the trained run in sentences, and the captions."""
from __future__ import annotations

from ..core.data import Digits
from ..core.train import Run


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
            f"(figure below, without content noise). Its reconstruction error, over seeds, is the "
            f"$\\sigma$ = {cfg.noise_std:g} row of the noise study's table.")


DIAGRAM_CAPTION = ("GLO with class and content codes: the class code is shared by a digit class, the content "
                   "code belongs to one image and is blurred by Gaussian noise while training.")
TABLE1_CAPTION = "Training GLO: the parameters of the default run (Table 1 of the course report)."
RECONSTRUCTION_CAPTION = ("Sixteen training digits (top) and their reconstructions by the trained generator, "
                          "without content noise (bottom).")


def digits_caption(digits: Digits, seed: int) -> str:
    """Caption of the grid of the first 64 training digits."""
    return f"The first 64 of the {len(digits.labels)} real training digits (seed {seed})."


def curves_caption(loss: str) -> str:
    """Caption of the training curves (the loss as the config names it)."""
    return f"Training loss ({loss}, left) and reconstruction MSE (right) per epoch."
