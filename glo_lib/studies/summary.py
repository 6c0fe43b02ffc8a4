"""The summary (notebook 06): the build's measures, gathered from the tables the notebooks saved."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd

from ..results import load_table

#: table name -> (group label, how a row is named from its key value, key column, required)
RESULTS = {
    "content_probe": ("Table 1", "sigma {}", "noise_std", True),
    "content_probe_fast_lr": ("lr x10", "sigma {}", "noise_std", False),
    "noise_study": ("no decay", "sigma {}", "noise_std", False),
    "loss_comparison": ("loss", "{}", "loss", False),
    "sampling": ("sampler", "{}", "key", False),
}

#: measure column -> heading in the summary table
MEASURES = {
    "mse": "MSE", "l1": "L1", "transfer_accuracy": "transfer", "probe_mlp": "leakage",
    "diversity": "diversity", "sample_agreement": "agreement", "frechet": "Frechet",
    "sharpness": "sharpness",
}


def load_results(folder: Optional[Path] = None) -> dict[str, pd.DataFrame]:
    """Every known table saved in the build folder; the required ones must be there."""
    out = {}
    for name, (_, _, _, required) in RESULTS.items():
        table = load_table(name, folder, required=required)
        if table is not None:
            out[name] = table
    return out


def summary_table(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per experiment setting, the mean over seeds of every measure it has.

    The noise study's decay-on runs are the probe sweep's runs, so only its decay-off rows are added.
    """
    rows = []
    for name, df in results.items():
        group, label, key, _ = RESULTS[name]
        if key not in df:
            continue
        if name == "noise_study" and "content_decay" in df:
            df = df[df["content_decay"] == 0]
        for value, part in df.groupby(key, sort=False):
            setting = label.format(f"{value:g}" if isinstance(value, float) else value)
            row = {"experiment": f"{group}, {setting}"}
            for col, heading in MEASURES.items():
                row[heading] = part[col].mean() if col in part else float("nan")
            rows.append(row)
    return pd.DataFrame(rows).dropna(axis=1, how="all")
