"""The Table 1 run (notebook 01): Table 1 as the report prints it (its words: ``narrative.table1``),
and the parameter tables of the later stages (values, not code names)."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..core.config import GLOConfig, table1
from ..core.encoders import EncoderSettings
from ..notation import LOSS_NAMES

#: Table 1's row names as the report writes them (one notation: sigma as in the text)
ROW_NAMES = {"Noise sigma (content codes)": "Content noise $\\sigma$"}
#: the rows of ``core.config.table1`` that are the course report's Table 1; the rest are the
#: choices it left open (content decay, code lengths, generator and initialisation, seed)
COURSE_ROWS = 8
#: how the table names the generators and code initialisations (words, not code names)
GENERATOR_WORDS = {"course": "the course's", "conv": "deeper, batch norm", "lord": "LORD's (AdaIN)"}
INIT_WORDS = {"normal": "$\\mathcal{N}(0, 1)$", "lord": "uniform $\\pm 0.05$"}


def table1_table(cfg: GLOConfig) -> pd.DataFrame:
    """Table 1 read from ``cfg``, in the report's notation (sigma, L1+L2), each row marked as the
    course's setting or a choice it left open."""
    rows = [(ROW_NAMES.get(name, name), value) for name, value in table1(cfg)]
    rows = [(name, LOSS_NAMES.get(cfg.loss, value) if name == "Loss" and cfg.loss != "perceptual" else value)
            for name, value in rows]
    rows = [(name, f"{GENERATOR_WORDS.get(cfg.generator, cfg.generator)} / {INIT_WORDS.get(cfg.code_init, cfg.code_init)}")
            if name.startswith("Generator") else (name, value) for name, value in rows]
    return pd.DataFrame([(n, v, "course" if i < COURSE_ROWS else "open") for i, (n, v) in enumerate(rows)],
                        columns=["Parameter", "Value", "from"])


#: the second stage's settings as notebook 06's table names them: a row's words and the
#: ``EncoderSettings`` fields it gives, joined by " / " when it gives two
STAGE2_ROWS = {
    "Epochs, phase 1 (regression) / phase 2 (fine-tuning)": ("regress_epochs", "finetune_epochs"),
    "Learning rate (Adam), phase 1 / phase 2": ("lr_regress", "lr_finetune"),
    "Batch size": ("encoder_batch_size",),
    "Channels of an encoder's first convolution": ("encoder_width",),
    "Anchor weight in phase 2, class code / content code (0: off)": ("anchor_weight", "content_anchor_weight"),
    "Random shift of the training digits (pixels)": ("shift_px",),
}


def settings_table(settings: EncoderSettings, rows: Mapping[str, tuple[str, ...]] = STAGE2_ROWS) -> pd.DataFrame:
    """A settings object as a parameter table: one row per entry of ``rows``, its words and its values."""
    return pd.DataFrame([(label, " / ".join(f"{getattr(settings, f):g}" for f in fields)) for label, fields in rows.items()],
                        columns=["Parameter", "Value"])
