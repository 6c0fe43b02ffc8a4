"""Tables that notebooks hand to later notebooks, saved by name in the build folder.

One pair of helpers, so no notebook spells a file name: ``save_table("noise_study", df)`` in
notebook 02, ``load_table("noise_study")`` in the summary.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Optional

import pandas as pd

from . import atomic
from .paths import build_dir

#: the environment variable naming the file where ``load_table`` logs the tables it reads
READS_LOG = "GLO_READS_LOG"


def table_path(name: str, folder: Optional[Path] = None) -> Path:
    return Path(folder or build_dir()) / f"{name}.csv"


def save_table(name: str, table: pd.DataFrame, folder: Optional[Path] = None, index: bool = False) -> Path:
    """Write ``table`` as ``<build folder>/<name>.csv`` (whole or not at all); returns the path."""
    buf = io.StringIO()
    table.to_csv(buf, index=index)
    path = table_path(name, folder)
    atomic.write_bytes(path, buf.getvalue().encode())
    return path


def load_table(name: str, folder: Optional[Path] = None, required: bool = True) -> Optional[pd.DataFrame]:
    """The table saved as ``name``; None when absent and not ``required``.

    During a build the name is logged to ``$GLO_READS_LOG``: a notebook is reused from the
    notebook cache only while the tables it read are unchanged."""
    path = table_path(name, folder)
    if os.environ.get(READS_LOG):
        with open(os.environ[READS_LOG], "a") as log:
            log.write(name + "\n")
    if path.exists():
        return pd.read_csv(path)
    if required:
        raise FileNotFoundError(f"{path} is missing: run the notebook that writes it first "
                                "(`glo-report build` runs every notebook in order)")
    return None


def clear_tables(folder: Path) -> None:
    """Forget the tables of an earlier build, so that none leaks into this one."""
    for stale in Path(folder).glob("*.csv"):
        stale.unlink()
