"""Encoders for new digits (notebook 06): measures for training against held-out digits,
the rows of its figures and its table (its words: ``narrative.encoders``).

The held-out digits are the judge's own test share (``judge_test_set``): neither GLO, nor the
encoders, nor the judge ever trained on them, so the judge's calls on them are fair.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd
import torch

from ..core.data import ByClass, Digits, class_names_of
from ..core.encoders import Amortized, EncoderRun, EncoderSettings, encoders_or_load
from ..core.judge import Judge, judge_test_set
from ..core.train import Run
from ..measures import registry
from ..measures.encoded import measure_encoder, measure_stage1

#: the stages measured, in the order of the table
STAGE1, REGRESSED, FINETUNED = "stage 1 (learned codes)", "after regression", "after fine-tuning"
TRAINING, HELDOUT = "training", "held-out"


#: the table as shown: its measures (headings and formats: the registry's), and the stages' short names
TABLE_COLUMNS = ("mse", "transfer_accuracy", "classifier_accuracy", "probe_logreg", "probe_mlp")
SHORT_STAGES = {STAGE1: "stage-1 codes", REGRESSED: "regressed", FINETUNED: "fine-tuned"}

#: the anchors of fine-tuning compared (rows of ``anchor_table``): the class code alone, and LORD's
#: choice, both codes
CLASS_ONLY, BOTH = "class code", "class and content codes"

#: LORD's weight of the distance of encoded content codes to the stage-1 codes: the 10 in
#: ``loss_reconstruction + 10 * loss_content + 10 * loss_class`` (lord-pytorch, model/training.py,
#: ``Lord.train_amortized``); its class weight is the same 10 as our ``anchor_weight``
LORD_CONTENT_ANCHOR = 10.0


def heldout_digits(digits: Digits, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` digits of the judge's test share (a stratified shuffle: every class is there)."""
    images, labels = judge_test_set(digits)
    return images[:n], labels[:n]


def measures_table(enc: EncoderRun, run: Run, judge: Judge, heldout: tuple[torch.Tensor, torch.Tensor],
                   probe_folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """One row per stage and set of digits: stage 1 on the training digits, then the encoders after
    each phase on the training digits and on the held-out digits."""
    rows = [{"stage": STAGE1, "digits": TRAINING, **measure_stage1(run, judge, probe_folds, seed)}]
    sets = {TRAINING: (run.digits.images, run.digits.labels), HELDOUT: heldout}
    for stage, model in ((REGRESSED, enc.regressed), (FINETUNED, enc.model)):
        for name, (images, labels) in sets.items():
            rows.append({"stage": stage, "digits": name, **measure_encoder(model, judge, images, labels, probe_folds, seed)})
    return pd.DataFrame(rows)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The measures as the report prints them, in the registry's formats with the unit in each cell
    (shares as "89.8%"), "–" where a stage has no value (stage 1 has no classifier)."""
    shown = pd.DataFrame({"codes": table["stage"].map(SHORT_STAGES), "digits": table["digits"], "n": table["images"]})
    return _with_measures(shown, table)


def _with_measures(shown: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``shown`` with the table's measures appended as the registry prints them."""
    for c in TABLE_COLUMNS:
        shown[registry.MEASURES[c].label] = [registry.fmt(c, v, unit=True, missing="–") for v in table[c]]
    return shown


def stage_row(table: pd.DataFrame, stage: str, digits: str) -> pd.Series:
    """The row of ``measures_table`` of one stage and set of digits."""
    return table[(table["stage"] == stage) & (table["digits"] == digits)].iloc[0]


def heldout_ratio(table: pd.DataFrame, stage: str = FINETUNED) -> float:
    """Held-out MSE over training MSE at ``stage``."""
    return float(stage_row(table, stage, HELDOUT)["mse"] / max(stage_row(table, stage, TRAINING)["mse"], 1e-12))


def anchor_table(run: Run, judge: Judge, heldout: tuple[torch.Tensor, torch.Tensor], settings: EncoderSettings,
                 content_weight: float = LORD_CONTENT_ANCHOR, probe_folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """The encoders of ``run`` fine-tuned with each anchor, measured on the held-out digits: one row
    with the class code anchored alone (``content_anchor_weight`` 0), one with the content code
    anchored too (``content_weight``, LORD's by default); the other settings are ``settings``'.
    ``content_code_error`` is how far the encoded content codes of the training digits end from the
    stage-1 codes (``core.encoders.code_errors``: share of their variance missed)."""
    rows = []
    for anchor, weight in ((CLASS_ONLY, 0.0), (BOTH, content_weight)):
        enc = encoders_or_load(run, settings.replace(content_anchor_weight=weight))
        rows.append({"anchor": anchor, "content_anchor_weight": weight,
                     "content_code_error": float(enc.history["content_code_error"].iloc[-1]),
                     **measure_encoder(enc.model, judge, *heldout, probe_folds, seed)})
    return pd.DataFrame(rows)


def display_anchor_table(table: pd.DataFrame) -> pd.DataFrame:
    """``anchor_table`` as the report prints it (as ``display_table``)."""
    shown = pd.DataFrame({"anchored": table["anchor"], "content weight": [f"{w:g}" for w in table["content_anchor_weight"]],
                          "n": table["images"]})
    return _with_measures(shown, table)


def anchor_row(table: pd.DataFrame, anchor: str) -> pd.Series:
    """The row of ``anchor_table`` of one anchor (``CLASS_ONLY`` or ``BOTH``)."""
    return table[table["anchor"] == anchor].iloc[0]


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
