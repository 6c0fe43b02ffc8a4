"""Executed notebooks remembered with jupyter-cache, so that a rebuild runs only what changed.

jupyter-cache (the execution cache of Jupyter Book and MyST-NB) keys an executed notebook by a
hash of its code cells; we hand it the notebook with its parameters already injected, so the
parameters are code too. Two more things decide whether a remembered notebook still holds:

- the library: one cache per fingerprint of glo_lib's source, its version, torch's version and
  the arithmetic this machine trains in (a notebook's numbers depend on all four);
- the tables it read from earlier notebooks (``results.load_table`` names them in the file
  ``$GLO_READS_LOG``): their checksums are stored with it and must match the current ones.

The tables a notebook wrote are stored with it (jupyter-cache's artifacts) and put back into the
build folder when it is reused. jupyter-cache writes its entries itself (not through
``glo_lib.store``), so what we hand it carries the store's checksums: of the stored outputs and of
every stored table. An entry that fails them, or that jupyter-cache cannot read back, gets one
``StaleRunWarning`` naming it and why, is forgotten, and the notebook runs again.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Optional

import nbformat
import torch
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.cache.db import NbCacheRecord
from jupyter_cache.cache.main import NbArtifacts
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from .. import atomic, paths, store
from ..core.config import pick_device
from ..core.precision import pick_precision
from ..results import READS_LOG, table_path
from ..version import __version__

#: modules that drive the build and never run inside a notebook: editing them re-runs nothing
BUILD_ONLY = ("reporting/build.py", "reporting/cli.py", "reporting/notebook_cache.py")


@functools.lru_cache(maxsize=1)
def library_fingerprint() -> str:
    """What a notebook's results depend on besides its code and parameters."""
    h = hashlib.sha256(f"{__version__}|torch {torch.__version__}|".encode())
    h.update(pick_precision("auto", pick_device("auto")).encode())
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        if source.relative_to(package).as_posix() in BUILD_ONLY:
            continue
        h.update(str(source.relative_to(package)).encode())
        h.update(source.read_bytes())
    return h.hexdigest()[:16]


def parameterized(notebook: Path, params: dict) -> nbformat.NotebookNode:
    """The notebook as papermill will run it: its parameters injected as a code cell."""
    nb = load_notebook_node(str(notebook))
    return parameterize_notebook(nb, dict(params), kernel_name="python3") if params else nb


def sha256_file(path: Path) -> str:
    return store.sha256(path.read_bytes())


def outputs_sha(nb: nbformat.NotebookNode) -> str:
    """Checksum of a notebook's code cell outputs and execution counts: what a reused notebook shows."""
    done = [(c.get("outputs"), c.get("execution_count")) for c in nb.cells if c.cell_type == "code"]
    return store.sha256(json.dumps(done, sort_keys=True).encode())


def table_sha(name: str, build: Path) -> str:
    """Checksum of a table in the build folder; "" when there is none (a read may be optional)."""
    path = table_path(name, build)
    return sha256_file(path) if path.exists() else ""


class NotebookCache:
    """Executed notebooks of one library fingerprint (``<cache>/notebooks/<fingerprint>``)."""

    def __init__(self, root: Optional[Path] = None):
        self.root = Path(root or paths.cache_dir() / "notebooks" / library_fingerprint())
        self.cache = get_cache(str(self.root))

    def lookup(self, source: nbformat.NotebookNode, build: Path) -> Optional[nbformat.NotebookNode]:
        """The executed notebook for ``source`` if its inputs are unchanged (its tables are put
        back into ``build``), else None."""
        try:
            record = self.cache.match_cache_notebook(source)
        except KeyError:
            return None
        try:
            data = record.data or {}
            if data.get("format") != store.FORMAT:
                raise store.Unusable(f"written in another cache format ({data.get('format', 'an older one')})")
            if any(table_sha(name, build) != sha for name, sha in data["reads"].items()):
                return None  # an earlier notebook's results changed
            pk, executed = self.cache.merge_match_into_notebook(source)
            if outputs_sha(executed) != data["outputs"]:
                raise store.Unusable("its stored outputs do not match their checksum")
            with self.cache.cache_artefacts_temppath(pk) as folder:
                tables = {name: (Path(folder) / name).read_bytes() for name in data["tables"]}
            for name, blob in tables.items():
                if store.sha256(blob) != data["tables"][name]:
                    raise store.Unusable(f"its stored table {name} does not match its checksum")
            for name, blob in tables.items():
                atomic.write_bytes(build / name, blob)  # into the build folder, not a cache entry
            return executed
        except store.DAMAGE as err:  # Unusable included
            why = str(err) if isinstance(err, store.Unusable) else f"unreadable ({type(err).__name__}: {err})"
            store.warn_stale("notebook", self.root / "executed" / record.hashkey,
                             f"damaged notebook cache entry of {Path(record.uri).name or 'a notebook'}: {why}")
            self._forget(record)
            return None

    def store(self, source: nbformat.NotebookNode, executed: nbformat.NotebookNode, build: Path,
              reads: Iterable[str], written: Iterable[Path]) -> bool:
        """Remember ``executed`` (run from ``source``) with the checksums of the tables it read, of
        its outputs and of the tables it wrote; False when the two notebooks do not line up
        (nothing is stored)."""
        keep = copy.deepcopy(source)
        if len(keep.cells) != len(executed.cells):
            return False
        for cell, done in zip(keep.cells, executed.cells):
            if cell.source != done.source:
                return False
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = done.outputs, done.execution_count
        written = list(written)
        data = {"format": store.FORMAT, "reads": {name: table_sha(name, build) for name in sorted(set(reads))},
                "outputs": outputs_sha(keep), "tables": {p.name: sha256_file(p) for p in written}}
        bundle = CacheBundleIn(keep, str(source.metadata.get("papermill", {}).get("input_path", "")),
                               data=data, artifacts=NbArtifacts(written, in_folder=build))
        self.cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
        return True

    def _forget(self, record: NbCacheRecord) -> None:
        try:
            self.cache.remove_cache(record.pk)
        except KeyError:  # its notebook file is gone already: drop the record and what is left of its folder
            NbCacheRecord.remove_records([record.pk], self.cache.db)
            leftover = self.root / "executed" / record.hashkey
            if leftover.exists():
                shutil.rmtree(leftover)


def tables_in(build: Path) -> dict[Path, str]:
    """Every table in the build folder and its checksum (what a notebook wrote shows as new)."""
    return {p: sha256_file(p) for p in Path(build).glob("*.csv")}


def reads_logged(log: Path) -> list[str]:
    """The table names a kernel logged as read."""
    return log.read_text().split() if log.exists() else []


def log_for(notebook: Path, build: Path) -> Path:
    """A fresh reads log for one notebook's kernel, named in its environment."""
    log = build / f".reads-{notebook.stem}"
    log.unlink(missing_ok=True)
    os.environ[READS_LOG] = str(log)
    return log
