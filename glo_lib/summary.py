"""The build's measures, gathered from the CSV files the notebooks export into the build folder."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

#: CSV name -> (what its rows are, the column that tells them apart, required)
RESULTS = {
    "content_probe": ("noise sweep, Table 1", "noise_std", True),
    "content_probe_fast_lr": ("noise sweep, fast content lr", "noise_std", False),
    "noise_study": ("noise x content decay", "noise_std", False),
    "loss_comparison": ("loss", "loss", False),
    "sampling": ("sampler", "sampler", False),
}

#: measure column -> heading in the summary table
MEASURES = {
    "mse": "MSE", "l1": "L1", "transfer_accuracy": "class transfer", "probe_mlp": "leakage (MLP)",
    "diversity": "diversity", "sample_agreement": "sample agreement", "frechet": "Frechet",
    "sharpness": "sharpness",
}


def load_results(folder: Path) -> dict[str, pd.DataFrame]:
    """Every known CSV present in ``folder``; the required ones must be there."""
    folder = Path(folder)
    out = {}
    for name, (_, _, required) in RESULTS.items():
        path = folder / f"{name}.csv"
        if path.exists():
            out[name] = pd.read_csv(path)
        elif required:
            raise FileNotFoundError(f"{path} is missing: run the notebook that writes it first "
                                    "(`glo-report build` runs every notebook in order)")
    return out


def summary_table(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per experiment setting, the mean over seeds of every measure it has."""
    rows = []
    for name, df in results.items():
        what, key, _ = RESULTS[name]
        if key not in df:
            continue
        extra = [c for c in ("content_decay",) if name == "noise_study" and c in df]
        for values, group in df.groupby([key, *extra], sort=False):
            values = values if isinstance(values, tuple) else (values,)
            label = f"{what}: {key.replace('noise_std', 'sigma')} = {values[0]}"
            if extra:
                label += f", decay = {values[1]:g}"
            row = {"experiment": label}
            for col, heading in MEASURES.items():
                row[heading] = group[col].mean() if col in group else float("nan")
            rows.append(row)
    table = pd.DataFrame(rows)
    return table.dropna(axis=1, how="all")
