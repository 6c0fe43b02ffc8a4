"""Remake a document (the PDF, the HTML edition) only when what it shows changed.

A checksum of what reaches the page, plus whatever else the document is made from (its template,
its code), is kept beside the document as ``<name>.sha256`` and written last, after the document:
a conversion that fails or is cut short leaves no stamp, so the next build makes it again.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable

import nbformat

from .. import atomic


def shown_digest(nb: nbformat.NotebookNode) -> "hashlib._Hash":
    """A sha256 of what reaches the page: a notebook reused from the cache differs from a freshly
    executed one only in ids, execution counts and run metadata, which are left out."""
    shown = [(c.cell_type, c.source, [{k: v for k, v in o.items() if k != "execution_count"}
                                      for o in c.get("outputs", [])]) for c in nb.cells]
    return hashlib.sha256(json.dumps([shown, nb.metadata], sort_keys=True, default=str).encode())


def files_under(folder: Path) -> list[bytes]:
    """The bytes of every file under ``folder``, in path order (a template, say)."""
    return [p.read_bytes() for p in sorted(q for q in Path(folder).rglob("*") if q.is_file())]


def remake_if_changed(nb: nbformat.NotebookNode, target: Path, made_from: Iterable[bytes],
                      convert: Callable[[], object], force: bool = False, whole: bool = True) -> tuple[Path, bool]:
    """``convert()`` (which writes ``target``) unless ``target`` was made from this very notebook and
    ``made_from`` (the stamp beside it says) and ``whole`` (what else it needs is there); returns
    ``target`` and whether it was remade."""
    h = shown_digest(nb)
    for part in made_from:
        h.update(part)
    stamp = target.with_name(target.name + ".sha256")
    if not force and whole and target.exists() and stamp.exists() and stamp.read_text() == h.hexdigest():
        return target, False
    stamp.unlink(missing_ok=True)  # a failed conversion must not leave an old document looking current
    convert()
    atomic.write_bytes(stamp, h.hexdigest().encode())
    return target, True
