"""The encoders' words (notebook 06): what the encoders learned and how they do on new digits, in
sentences, the captions (the inline figure captions included) and the thresholds that pick a wording.
"""
from __future__ import annotations

import pandas as pd

from ..core.config import GLOConfig
from ..core.encoders import EncoderRun
from ..core.judge import Judge
from ..measures.registry import fmt, same, tolerance
from ..prose import change
from ..studies.encoders import (BOTH, CLASS_ONLY, FINETUNED, HELDOUT, LORD_CONTENT_ANCHOR, REGRESSED, STAGE1, TRAINING,
                                anchor_row, heldout_ratio, stage_row)


#: changes within these count as "stays at about" (the registry's tolerances, about the last printed
#: digit that matters): one point of an accuracy, five in the fourth decimal of a per-pixel MSE
SHARE_TOL = tolerance("transfer_accuracy")
MSE_TOL = tolerance("mse")

#: held-out MSE above this multiple of the training MSE is called a generalisation gap
GAP_RATIO = 1.5


def table_caption(n_train: int, n_heldout: int) -> str:
    return (f"The stage-1 codes of the {n_train} training digits, and the encoders after the regression phase "
            f"(regressed) and after fine-tuning (fine-tuned) on the training digits and on {n_heldout} held-out "
            "digits that nothing here trained on. MSE: per pixel, of each digit drawn from its own codes. "
            "Transfer: share of the content codes drawn as each of the ten digits that the judge reads as that "
            "digit. Classifier: the class encoder's accuracy, reading a digit as the class whose code is nearest. "
            "Probes: accuracy of reading the digit from the content codes (chance 10%).")


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
        tied = "both codes" if getattr(s, "content_anchor_weight", 0.0) else "only the class codes"  # 0: off
        said += (f" Fine-tuning, which ties {tied} to stage 1's, ends at {last['class_code_error']:.1%} "
                 f"and {last['content_code_error']:.1%}.")
    return said


def generalisation_sentence(table: pd.DataFrame) -> str:
    """Held-out against training reconstruction error after each phase, and what the gap says."""
    parts = [f"{stage_row(table, stage, HELDOUT)['mse']:.4f} against {stage_row(table, stage, TRAINING)['mse']:.4f} {stage} "
             f"({heldout_ratio(table, stage):.1f} times)" for stage in (REGRESSED, FINETUNED)]
    verdict = ("the encoders still work better on the digits they learned from than on new ones."
               if heldout_ratio(table, FINETUNED) > GAP_RATIO else
               "the encoders work about as well on new digits as on the digits they learned from.")
    return (f"**New digits.** Drawn from their encoded codes, held-out digits have a reconstruction MSE of "
            f"{parts[0]} and {parts[1]}, against training digits: {verdict} Stage 1 reconstructs its "
            f"training digits with an MSE of {stage_row(table, STAGE1, TRAINING)['mse']:.4f}, and has no code for a new digit.")


def transfer_sentence(table: pd.DataFrame, judge: Judge) -> str:
    """Class transfer and the class encoder as a classifier, held-out against training digits."""
    fin, fin_train = stage_row(table, FINETUNED, HELDOUT), stage_row(table, FINETUNED, TRAINING)
    reg = stage_row(table, REGRESSED, HELDOUT)
    return (f"**Class transfer.** Drawn as each of the ten digits, the encoded content codes of held-out digits give "
            f"images the judge reads as the intended digit {fin['transfer_accuracy']:.1%} of the time after fine-tuning "
            f"({reg['transfer_accuracy']:.1%} after regression; training digits {fin_train['transfer_accuracy']:.1%}; "
            f"stage 1's own codes {stage_row(table, STAGE1, TRAINING)['transfer_accuracy']:.1%}). As a classifier, "
            f"the class encoder names {fin['classifier_accuracy']:.1%} of the held-out digits right "
            f"({fin_train['classifier_accuracy']:.1%} of the training digits), against about {judge.accuracy:.0%} for the "
            f"judge, which learned from {judge.n_train} real digits where the encoders had {int(fin_train['images'])}.")


def leakage_sentence(table: pd.DataFrame) -> str:
    """How much of the digit the probes read from encoded content codes, against stage 1's codes."""
    fin, reg, st1 = stage_row(table, FINETUNED, HELDOUT), stage_row(table, REGRESSED, HELDOUT), stage_row(table, STAGE1, TRAINING)
    return (f"**Leakage.** The MLP probe reads the digit from the encoded content codes of held-out digits with "
            f"{reg['probe_mlp']:.1%} accuracy after regression and {fin['probe_mlp']:.1%} after fine-tuning "
            f"(logistic: {reg['probe_logreg']:.1%} and {fin['probe_logreg']:.1%}), against {st1['probe_mlp']:.1%} "
            f"for stage 1's content codes of the training digits; chance is {fin['chance']:.0%}.")


def finetune_sentence(table: pd.DataFrame) -> str:
    """What the fine-tuning phase changed on held-out digits, and the trade it made."""
    reg, fin = stage_row(table, REGRESSED, HELDOUT), stage_row(table, FINETUNED, HELDOUT)
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


def anchor_caption(table: pd.DataFrame) -> str:
    """The caption of the anchor comparison (``studies.encoders.anchor_table``)."""
    both = anchor_row(table, BOTH)
    weight = both["content_anchor_weight"]
    whose = ", LORD's" if weight == LORD_CONTENT_ANCHOR else ""
    return (f"The encoders fine-tuned with the class code alone anchored to its stage-1 code, and with the content "
            f"code anchored too (weight {weight:g}{whose}), on the {int(both['images'])} held-out digits. "
            "Measures as in the table above.")


def anchor_sentence(table: pd.DataFrame) -> str:
    """Which anchor reconstructs held-out digits better, and by how much (the same within the
    registry's MSE tolerance)."""
    one, both = anchor_row(table, CLASS_ONLY)["mse"], anchor_row(table, BOTH)["mse"]
    if same("mse", one, both):
        return (f"**Anchoring the content code too.** Held-out digits are reconstructed about as well either way "
                f"(MSE {fmt('mse', one)} with the class code anchored alone, {fmt('mse', both)} with both anchored: "
                "a difference below the report's MSE tolerance, which counts as the same).")
    better, worse = (("the class code alone", "both codes") if one < both else ("both codes", "the class code alone"))
    lo, hi = sorted((one, both))
    return (f"**Anchoring the content code too.** Held-out digits are reconstructed better with {better} anchored "
            f"than with {worse}: an MSE of {fmt('mse', lo)} against {fmt('mse', hi)}, {fmt('mse', hi - lo)} "
            f"({(hi - lo) / hi:.0%}) lower.")


HISTORY_CAPTION = ("Training the encoders. Left: share of the variance of the stage-1 class and content codes that "
                   "the encoded codes of the training digits miss; right: MSE of the training digits drawn from "
                   "their encoded codes. Dashed: fine-tuning starts.")
RECONSTRUCTION_CAPTION = ("Ten training digits and ten held-out digits (rows 'real'), each drawn from its own encoded "
                          "class and content codes after the regression phase and after fine-tuning.")
TRANSFER_CAPTION = ("Class transfer by the encoders after fine-tuning: each row encodes the real digit in the first "
                    "column and draws its content code with each of the ten class codes (columns 0 to 9).")
