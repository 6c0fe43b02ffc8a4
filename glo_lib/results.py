"""Tables that notebooks hand to later notebooks, saved by name in the build folder.

One pair of helpers, so no notebook spells a file name: ``save_table("noise_study", df)`` in
notebook 02, ``load_table("noise_study")`` in notebooks 05 and 07. ``TABLES`` declares each table's
one owning notebook and the columns its readers need; both are checked on save and on load.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd

from . import atomic
from .paths import build_dir

#: the environment variable naming the file where ``load_table`` logs the tables it reads
READS_LOG = "GLO_READS_LOG"
#: the environment variable naming the notebook a build is running (set by the build for its kernels)
NOTEBOOK_ENV = "GLO_NOTEBOOK"

#: columns of every verdict table: what a notebook decided, for the summary to read
VERDICT_COLUMNS = ("claim", "holds", "value", "sentence")
#: columns of a table of checked claims (``glo_lib.claims.record``)
CLAIM_COLUMNS = ("claim", "statement", "tables", "rows", "holds")
#: columns of a table of ``measures.evaluate`` rows that its readers rely on
MEASURED_COLUMNS = ("noise_std", "content_decay", "seed", "mse", "transfer_accuracy", "diversity",
                    "probe_logreg", "probe_mlp", "content_norm", "content_shift", "judge_accuracy")


@dataclass(frozen=True)
class TableSpec:
    """A table one notebook writes and later notebooks read."""

    owner: str  # the only notebook that writes it
    columns: tuple[str, ...]  # columns it must hold (it may hold more)


#: every table handed from one notebook to another; each has one owner
TABLES = {
    "noise_study": TableSpec("02_noise_study", MEASURED_COLUMNS),  # the Table 1 sweep, read by 05 and 07
    "noise_verdicts": TableSpec("02_noise_study", VERDICT_COLUMNS),
    "noise_claims": TableSpec("02_noise_study", CLAIM_COLUMNS),
    # the generator families x sigma, means over seeds (the frontier push of 05 checks every row)
    "frontier": TableSpec("02_noise_study", ("generator", "code_init", "noise_std", "mse", "transfer", "diversity",
                                             "collapsed")),
    "loss_comparison": TableSpec("03_loss_comparison", ("loss", "seed", "mse", "transfer_accuracy")),
    "loss_verdicts": TableSpec("03_loss_comparison", VERDICT_COLUMNS),
    "loss_claims": TableSpec("03_loss_comparison", CLAIM_COLUMNS),
    "sampling": TableSpec("04_random_sampling", ("key", "sample_agreement", "frechet", "most_judged")),
    "sampling_verdicts": TableSpec("04_random_sampling", VERDICT_COLUMNS),
    # every run notebook 05 measured (both regimes, with and without the adversary) and its verdicts
    "probe_runs": TableSpec("05_adversarial_content_probe", (*MEASURED_COLUMNS, "regime", "adversary_weight",
                                                             "noisy_probe_mlp", "class_blind_source", "style_kept")),
    "probe_verdicts": TableSpec("05_adversarial_content_probe", VERDICT_COLUMNS),
    "probe_claims": TableSpec("05_adversarial_content_probe", CLAIM_COLUMNS),
    "summary_claims": TableSpec("07_summary", CLAIM_COLUMNS),
}


def _spec(name: str) -> TableSpec:
    if name not in TABLES:
        raise KeyError(f"no table {name!r} is declared in glo_lib.results.TABLES (known: {', '.join(TABLES)})")
    return TABLES[name]


def _check_columns(name: str, table: pd.DataFrame, where: str) -> None:
    missing = [c for c in _spec(name).columns if c not in table.columns and c != table.index.name]
    if missing:
        raise ValueError(f"table {name!r} {where} lacks the column(s) {', '.join(missing)} "
                         f"that glo_lib.results.TABLES declares")


def table_path(name: str, folder: Optional[Path] = None) -> Path:
    return Path(folder or build_dir()) / f"{name}.csv"


def save_table(name: str, table: pd.DataFrame, folder: Optional[Path] = None, index: bool = False) -> Path:
    """Write ``table`` as ``<build folder>/<name>.csv`` (whole or not at all); returns the path.

    The name must be declared in ``TABLES`` with the columns written; during a build only its
    owning notebook may write it."""
    spec = _spec(name)
    running = os.environ.get(NOTEBOOK_ENV)
    if running and running != spec.owner:
        raise PermissionError(f"table {name!r} belongs to notebook {spec.owner}; {running} may only read it")
    _check_columns(name, table, "to be saved")
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
    _spec(name)
    if path.exists():
        table = pd.read_csv(path)
        _check_columns(name, table, f"in {path} (written by an older build? run {TABLES[name].owner} again)")
        return table
    if required:
        raise FileNotFoundError(f"{path} is missing: run the notebook that writes it first "
                                "(`glo-report build` runs every notebook in order)")
    return None


def clear_tables(folder: Path) -> None:
    """Forget the tables of an earlier build, so that none leaks into this one."""
    for stale in Path(folder).glob("*.csv"):
        stale.unlink()
