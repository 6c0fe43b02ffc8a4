"""Writes that never leave a half-written file or folder where a good one is expected.

Everything is written under a temporary name beside its target and renamed into place, so a
process killed mid-write leaves the previous file or folder as it was. ``folder`` is how the store
(``glo_lib.store``) writes every cache entry; ``write_bytes`` writes the data copy, the tables,
executed notebooks and the PDF.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole, or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def folder(final: Path) -> Iterator[Path]:
    """An empty temporary folder beside ``final`` that replaces it when the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        yield tmp
        _replace_dir(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace_dir(src: Path, dst: Path) -> None:
    """Move ``src`` to ``dst``, replacing an old ``dst`` with at most a moment without one."""
    if dst.exists():
        old = dst.with_name(f".{dst.name}.old.{os.getpid()}")
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)
