"""The summary (notebook 07): the tables and verdicts the notebooks saved, gathered from the build
folder (its words: ``narrative.summary``)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd

from ..core.config import GLOConfig
from ..results import load_table

#: the tables the summary reads -> whether the build must have written it; the *_verdicts tables
#: hold what notebooks 02 to 05 decided (claim, holds, value, sentence), so that the summary reads
#: their verdicts instead of deciding them again
RESULTS = {
    "noise_study": True,
    "probe_verdicts": False,
    "probe_runs": False,
    "noise_verdicts": False,
    "loss_verdicts": False,
    "sampling": False,
    "sampling_verdicts": False,
}


def load_results(cfg: GLOConfig, folder: Optional[Path] = None) -> dict[str, pd.DataFrame]:
    """Every known table saved in the build folder (the required ones must be there), and as
    "content_probe" the Table 1 sweep at the config's content decay (notebook 02's runs, which
    notebook 05 probes)."""
    out = {}
    for name, required in RESULTS.items():
        table = load_table(name, folder, required=required)
        if table is not None:
            out[name] = table
    noise = out["noise_study"]
    out["content_probe"] = noise[noise.content_decay == cfg.content_decay].reset_index(drop=True)
    return out


def probe_means(probe: pd.DataFrame) -> pd.DataFrame:
    """Mean over seeds of every measure of a probe table, indexed by sigma."""
    return probe.groupby("noise_std").mean(numeric_only=True)
