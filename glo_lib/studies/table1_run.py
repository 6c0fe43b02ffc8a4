"""The Table 1 run (notebook 01): what the data and the trained run are, in sentences."""
from __future__ import annotations

from ..core.data import Digits
from ..core.train import Run


def data_sentence(digits: Digits) -> str:
    """How many training digits, how evenly spread over the classes, and how many held out."""
    counts = digits.labels.bincount(minlength=digits.n_classes)
    return (f"The training set holds {len(digits.labels)} digits, between {int(counts.min())} and "
            f"{int(counts.max())} per class; {len(digits.heldout_labels)} other real digits are held out.")


def training_sentence(run: Run) -> str:
    """Where the run came from, what it cost, and how well it reconstructs after the last epoch."""
    cfg, last, timings = run.config, run.history.iloc[-1], run.timings
    origin = "was loaded from the cache" if run.cached else "was trained"
    return (f"The run {origin}: {cfg.epochs} epochs took {timings['train_seconds']:.1f} s on {timings['device']} "
            f"({timings['seconds_per_epoch']:.2f} s per epoch). After the last epoch the training objective is "
            f"{last['loss']:.4f}, and the noise-free reconstructions have a mean squared error of "
            f"{last['mse']:.4f} and a mean absolute error of {last['l1']:.4f} per pixel.")
