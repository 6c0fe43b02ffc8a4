"""The Table 1 run (notebook 01): Table 1 as the report prints it, what the data and the trained run are."""
from __future__ import annotations

import pandas as pd

from ..core.config import GLOConfig, table1
from ..core.data import Digits
from ..core.train import Run
from .loss_study import LOSS_NAMES

#: Table 1's row names as the report writes them (one notation: sigma as in the text)
ROW_NAMES = {"Noise sigma (content codes)": "Content noise $\\sigma$"}


def table1_table(cfg: GLOConfig) -> pd.DataFrame:
    """Table 1 read from ``cfg``, in the report's notation (sigma, L1+L2)."""
    rows = [(ROW_NAMES.get(name, name), value) for name, value in table1(cfg)]
    rows = [(name, LOSS_NAMES.get(cfg.loss, value) if name == "Loss" and cfg.loss != "perceptual" else value)
            for name, value in rows]
    return pd.DataFrame(rows, columns=["Parameter", "Value"])


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
