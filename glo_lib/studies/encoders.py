"""Encoders for new digits (notebook 07): checks, measures for training against held-out digits,
the rows of its figures, its table and its sentences.

The held-out digits are the judge's own test share (``judge_test_set``): neither GLO, nor the
encoders, nor the judge ever trained on them, so the judge's calls on them are fair.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd
import torch

from ..checks import check_int
from ..core.config import GLOConfig
from ..core.data import ByClass, Digits, class_names_of
from ..core.encoders import Amortized, EncoderRun, EncoderSettings
from ..core.judge import Judge, judge_test_set
from ..core.train import Run
from ..measures.metrics import class_transfer, leakage_probe, reconstruction_error
from ..prose import change

#: smoke runs: a judge of one epoch and 100 held-out digits, the notebook in seconds
SMOKE_JUDGE_EPOCHS = 1
SMOKE_HELDOUT = 100

#: the stages measured, in the order of the table
STAGE1, REGRESSED, FINETUNED = "stage 1 (learned codes)", "after regression", "after fine-tuning"
TRAINING, HELDOUT = "training", "held-out"

#: changes within these count as "stays at about" (about the last printed digit that matters):
#: one point of an accuracy, five in the fourth decimal of a per-pixel MSE
SHARE_TOL = 0.01
MSE_TOL = 0.0005

#: held-out MSE above this multiple of the training MSE is called a generalisation gap
GAP_RATIO = 1.5

#: the table as shown: measure columns and their headings, and the stages' short names
TABLE_COLUMNS = {"mse": "MSE", "transfer_accuracy": "transfer", "classifier_accuracy": "classifier",
                 "probe_logreg": "logistic probe", "probe_mlp": "MLP probe"}
SHORT_STAGES = {STAGE1: "stage-1 codes", REGRESSED: "regressed", FINETUNED: "fine-tuned"}


def check_study(regress_epochs: Any, finetune_epochs: Any, encoder_batch_size: Any, lr_regress: Any,
                lr_finetune: Any, encoder_width: Any, anchor_weight: Any, shift_px: Any, seed: Any,
                judge_epochs: Any, n_heldout: Any) -> None:
    """Fail early, naming the parameter, before any run is trained."""
    EncoderSettings(regress_epochs=regress_epochs, finetune_epochs=finetune_epochs,
                    encoder_batch_size=encoder_batch_size, lr_regress=lr_regress, lr_finetune=lr_finetune,
                    encoder_width=encoder_width, anchor_weight=anchor_weight, shift_px=shift_px, seed=seed)
    check_int("judge_epochs", judge_epochs, 1)
    check_int("n_heldout", n_heldout, 10, note="held-out digits measured; the leakage probe needs a few of each")


def study_sizes(judge_epochs: int, n_heldout: int, smoke: bool) -> tuple[int, int]:
    """The judge's epochs and the number of held-out digits measured (smaller in smoke runs)."""
    if smoke:
        return SMOKE_JUDGE_EPOCHS, min(n_heldout, SMOKE_HELDOUT)
    return judge_epochs, n_heldout


def heldout_digits(digits: Digits, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` digits of the judge's test share (a stratified shuffle: every class is there)."""
    images, labels = judge_test_set(digits)
    return images[:n], labels[:n]


def measure(model: Amortized, judge: Judge, images: torch.Tensor, labels: torch.Tensor,
            probe_folds: int = 5, seed: int = 0) -> dict[str, float]:
    """Reconstruction error from encoded codes, class transfer of the encoded content codes (every
    one drawn as every digit, read by the judge), the class encoder as a classifier, and the leakage
    probes on the encoded content codes."""
    _, content = model.encode(images)
    probe = leakage_probe(content, labels, folds=probe_folds, seed=seed)
    return {"images": len(labels), **reconstruction_error(model.reconstruct(images), images),
            "transfer_accuracy": class_transfer(model, judge, content)["accuracy"],
            "classifier_accuracy": (model.classify(images) == labels.cpu()).float().mean().item(),
            "probe_logreg": probe["logreg"], "probe_mlp": probe["mlp"], "probe_mlp_std": probe["mlp_std"],
            "chance": probe["chance"]}


def measure_stage1(run: Run, judge: Judge, probe_folds: int = 5, seed: int = 0) -> dict[str, float]:
    """The same measures of the stage-1 codes themselves (training digits only; no classifier: the
    class code is looked up from the label)."""
    digits, model = run.digits, run.model.eval()
    probe = leakage_probe(model.content, digits.labels, folds=probe_folds, seed=seed)
    return {"images": len(digits.labels), **reconstruction_error(run.reconstructions(), digits.images),
            "transfer_accuracy": class_transfer(model, judge)["accuracy"], "classifier_accuracy": math.nan,
            "probe_logreg": probe["logreg"], "probe_mlp": probe["mlp"], "probe_mlp_std": probe["mlp_std"],
            "chance": probe["chance"]}


def measures_table(enc: EncoderRun, run: Run, judge: Judge, heldout: tuple[torch.Tensor, torch.Tensor],
                   probe_folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """One row per stage and set of digits: stage 1 on the training digits, then the encoders after
    each phase on the training digits and on the held-out digits."""
    rows = [{"stage": STAGE1, "digits": TRAINING, **measure_stage1(run, judge, probe_folds, seed)}]
    sets = {TRAINING: (run.digits.images, run.digits.labels), HELDOUT: heldout}
    for stage, model in ((REGRESSED, enc.regressed), (FINETUNED, enc.model)):
        for name, (images, labels) in sets.items():
            rows.append({"stage": stage, "digits": name, **measure(model, judge, images, labels, probe_folds, seed)})
    return pd.DataFrame(rows)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The measures as the report prints them: MSE to four places, shares as percentages."""
    shown = pd.DataFrame({"codes": table["stage"].map(SHORT_STAGES), "digits": table["digits"], "n": table["images"]})
    for col, heading in TABLE_COLUMNS.items():
        fmt = "{:.4f}" if col == "mse" else "{:.1%}"
        shown[heading] = [("–" if pd.isna(v) else fmt.format(v)) for v in table[col]]
    return shown


def table_caption(n_train: int, n_heldout: int) -> str:
    return (f"The stage-1 codes of the {n_train} training digits, and the encoders after the regression phase "
            f"(regressed) and after fine-tuning (fine-tuned) on the training digits and on {n_heldout} held-out "
            "digits that nothing here trained on. MSE: per pixel, of each digit drawn from its own codes. "
            "Transfer: share of the content codes drawn as each of the ten digits that the judge reads as that "
            "digit. Classifier: the class encoder's accuracy, reading a digit as the class whose code is nearest. "
            "Probes: accuracy of reading the digit from the content codes (chance 10%).")


def _row(table: pd.DataFrame, stage: str, digits: str) -> pd.Series:
    return table[(table["stage"] == stage) & (table["digits"] == digits)].iloc[0]


def setup_sentence(cfg: GLOConfig, judge_accuracy: float, n_heldout: int) -> str:
    """Which run is amortised, and which digits are held out."""
    return (f"The encoders amortise the Table 1 run ($\\sigma = {cfg.noise_std:g}$, {cfg.n_samples} training "
            f"digits) and learn from its training digits only. The held-out digits are {n_heldout} real digits "
            f"of the judge's test share: neither GLO, nor the encoders, nor the judge trained on them, and the "
            f"judge reads about {judge_accuracy:.0%} of them right.")


def training_sentence(enc: EncoderRun) -> str:
    """What the two phases cost and how close the encoded training codes came to the stage-1 codes."""
    s, t, h = enc.settings, enc.timings, enc.history
    origin = "were loaded from the cache" if enc.cached else "were trained"
    reg = h[h["phase"] == "regression"].iloc[-1]
    said = (f"The encoders {origin}: {s.regress_epochs} epochs of regression ({t['regress_seconds']:.1f} s) and "
            f"{s.finetune_epochs} of fine-tuning ({t['finetune_seconds']:.1f} s) on {t['device']}. After the "
            f"regression the encoded codes of the training digits miss {reg['class_code_error']:.1%} of the "
            f"variance of the stage-1 class codes and {reg['content_code_error']:.1%} of that of the content codes.")
    if s.finetune_epochs:
        last = h.iloc[-1]
        said += (f" Fine-tuning, which ties only the class codes to stage 1's, ends at {last['class_code_error']:.1%} "
                 f"and {last['content_code_error']:.1%}.")
    return said


def generalisation_sentence(table: pd.DataFrame) -> str:
    """Held-out against training reconstruction error after each phase, and what the gap says."""
    parts = [f"{_row(table, stage, HELDOUT)['mse']:.4f} against {_row(table, stage, TRAINING)['mse']:.4f} {stage} "
             f"({heldout_ratio(table, stage):.1f} times)" for stage in (REGRESSED, FINETUNED)]
    verdict = ("the encoders still work better on the digits they learned from than on new ones."
               if heldout_ratio(table, FINETUNED) > GAP_RATIO else
               "the encoders work about as well on new digits as on the digits they learned from.")
    return (f"**New digits.** Drawn from their encoded codes, held-out digits have a reconstruction MSE of "
            f"{parts[0]} and {parts[1]}, against training digits: {verdict} Stage 1 reconstructs its "
            f"training digits with an MSE of {_row(table, STAGE1, TRAINING)['mse']:.4f}, and has no code for a new digit.")


def heldout_ratio(table: pd.DataFrame, stage: str = FINETUNED) -> float:
    """Held-out MSE over training MSE at ``stage``."""
    return float(_row(table, stage, HELDOUT)["mse"] / max(_row(table, stage, TRAINING)["mse"], 1e-12))


def transfer_sentence(table: pd.DataFrame, judge: Judge) -> str:
    """Class transfer and the class encoder as a classifier, held-out against training digits."""
    fin, fin_train = _row(table, FINETUNED, HELDOUT), _row(table, FINETUNED, TRAINING)
    reg = _row(table, REGRESSED, HELDOUT)
    return (f"**Class transfer.** Drawn as each of the ten digits, the encoded content codes of held-out digits give "
            f"images the judge reads as the intended digit {fin['transfer_accuracy']:.1%} of the time after fine-tuning "
            f"({reg['transfer_accuracy']:.1%} after regression; training digits {fin_train['transfer_accuracy']:.1%}; "
            f"stage 1's own codes {_row(table, STAGE1, TRAINING)['transfer_accuracy']:.1%}). As a classifier, "
            f"the class encoder names {fin['classifier_accuracy']:.1%} of the held-out digits right "
            f"({fin_train['classifier_accuracy']:.1%} of the training digits), against about {judge.accuracy:.0%} for the "
            f"judge, which learned from {judge.n_train} real digits where the encoders had {int(fin_train['images'])}.")


def leakage_sentence(table: pd.DataFrame) -> str:
    """How much of the digit the probes read from encoded content codes, against stage 1's codes."""
    fin, reg, st1 = _row(table, FINETUNED, HELDOUT), _row(table, REGRESSED, HELDOUT), _row(table, STAGE1, TRAINING)
    return (f"**Leakage.** The MLP probe reads the digit from the encoded content codes of held-out digits with "
            f"{reg['probe_mlp']:.1%} accuracy after regression and {fin['probe_mlp']:.1%} after fine-tuning "
            f"(logistic: {reg['probe_logreg']:.1%} and {fin['probe_logreg']:.1%}), against {st1['probe_mlp']:.1%} "
            f"for stage 1's content codes of the training digits; chance is {fin['chance']:.0%}.")


def finetune_sentence(table: pd.DataFrame) -> str:
    """What the fine-tuning phase changed on held-out digits, and the trade it made."""
    reg, fin = _row(table, REGRESSED, HELDOUT), _row(table, FINETUNED, HELDOUT)
    said = (f"**What fine-tuning changes.** On held-out digits, the MSE {change(reg['mse'], fin['mse'], '.4f', MSE_TOL)}, "
            f"class transfer {change(reg['transfer_accuracy'], fin['transfer_accuracy'], '.1%', SHARE_TOL)}, the class "
            f"encoder's accuracy {change(reg['classifier_accuracy'], fin['classifier_accuracy'], '.1%', SHARE_TOL)} and "
            f"the MLP probe's {change(reg['probe_mlp'], fin['probe_mlp'], '.1%', SHARE_TOL)}.")
    sharper = fin["mse"] < reg["mse"] - MSE_TOL
    leakier = fin["probe_mlp"] > reg["probe_mlp"] + SHARE_TOL
    if sharper and leakier:
        said += (" Reconstruction is paid for with disentanglement: an encoder that can see the whole digit puts "
                 "some of its class into the content code, where stage 1's noise no longer keeps it out.")
    elif sharper:
        said += " Reconstruction improves without more class in the content codes."
    return said


def reconstruction_rows(enc: EncoderRun, sets: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Per named set of digits: the digits, then their reconstructions after each phase."""
    rows = {}
    for name, images in sets.items():
        rows[f"{name}: real"] = images
        rows[f"{name}: {REGRESSED}"] = enc.regressed.reconstruct(images)
        rows[f"{name}: {FINETUNED}"] = enc.model.reconstruct(images)
    return rows


def transfer_rows(model: Amortized, sets: Mapping[str, tuple[torch.Tensor, torch.Tensor]],
                  n_classes: int = 10) -> dict[str, torch.Tensor]:
    """Per digit of each named set: the digit, then its encoded content drawn as each class (named
    as the stage-1 run's data name them)."""
    rows = ByClass(class_names=class_names_of(model))
    for name, (images, labels) in sets.items():
        for j, (image, label) in enumerate(zip(images, labels)):
            drawn = model.transfer(image[None].expand(n_classes, -1, -1, -1), torch.arange(n_classes))
            rows[f"{name} {j + 1} (a {rows.class_names[int(label)]})"] = torch.cat([image[None].cpu(), drawn])
    return rows
