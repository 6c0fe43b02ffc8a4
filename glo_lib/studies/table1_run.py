"""The Table 1 run (notebook 01): Table 1 as the report prints it (its words: ``narrative.table1``)."""
from __future__ import annotations

import pandas as pd

from ..core.config import GLOConfig, table1
from ..notation import LOSS_NAMES

#: Table 1's row names as the report writes them (one notation: sigma as in the text)
ROW_NAMES = {"Noise sigma (content codes)": "Content noise $\\sigma$"}


def table1_table(cfg: GLOConfig) -> pd.DataFrame:
    """Table 1 read from ``cfg``, in the report's notation (sigma, L1+L2)."""
    rows = [(ROW_NAMES.get(name, name), value) for name, value in table1(cfg)]
    rows = [(name, LOSS_NAMES.get(cfg.loss, value) if name == "Loss" and cfg.loss != "perceptual" else value)
            for name, value in rows]
    return pd.DataFrame(rows, columns=["Parameter", "Value"])
