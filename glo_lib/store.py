"""One store for everything trained: runs, encoders, judges and evaluations.

An entry is a folder written whole or not at all (``atomic.folder``): its payload files and
``config.json``, which says what the entry is: its kind, the store's format, the library
version, the identity a later load must match exactly, whatever the caller keeps beside it
(timings, accuracy, ...) and the sha256 of every payload file. A payload file is read by its
name's ending: ``.pt`` a torch object of tensors (``torch.save``, read back with
``weights_only=True``), ``.csv`` a DataFrame, ``.json`` plain data.

``load`` gives an entry back only when format, kind, version and identity match and every
payload file matches its checksum, so a byte flipped in a file that still unpickles is caught.
A missing entry is None without a word; any other that cannot serve (damaged, unreadable, another
version, another config) is None after exactly one ``StaleRunWarning`` naming it, its folder and
why, since the caller rebuilds it and ``save`` replaces it. This module is the only writer of cache
entries (tests/test_store.py checks it).
"""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, TypeVar

import pandas as pd
import torch

from . import atomic
from .version import __version__

#: bump when the layout of an entry changes: an entry of another format is rebuilt, never misread
FORMAT = 1
#: the file that describes an entry; its absence means there is no entry
META = "config.json"
#: keys of ``config.json`` that the store owns (a caller's ``info`` may not use them)
RESERVED = ("kind", "format", "version", "identity", "sha256")
#: what reading a damaged or foreign file raises (a checksum catches most damage before any of these)
DAMAGE = (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError, RuntimeError, EOFError,
          pickle.UnpicklingError)

T = TypeVar("T")


class StaleRunWarning(UserWarning):
    """A cached entry (run, encoders, judge, evaluation, notebook) could not be reused (damaged, or
    made by another version or config): it is rebuilt and replaced."""


class Unusable(ValueError):
    """Raised by a ``load`` reader: the entry is whole, but cannot serve (the message says why)."""


@dataclass(frozen=True)
class Entry:
    """A loaded entry: its folder, its ``config.json`` and its payload, read by file name."""

    folder: Path
    meta: dict
    files: dict

    def __getitem__(self, name: str) -> Any:
        return self.files[name]


def sha256(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def save(folder: Path, kind: str, identity: Mapping[str, Any], files: Mapping[str, Any],
         info: Optional[Mapping[str, Any]] = None) -> Path:
    """Write an entry into ``folder`` whole (replacing what was there) or not at all; returns it.

    ``identity``: what a later ``load`` must match exactly (json-able); ``files``: payload by file
    name (``.pt``, ``.csv`` or ``.json``); ``info``: json-able extras kept in ``config.json``.
    """
    clash = sorted(set(info or {}) & set(RESERVED))
    if clash:
        raise ValueError(f"info may not use the store's own keys {clash}")
    blobs = {name: _encode(name, value) for name, value in files.items()}
    meta = {**(info or {}), "kind": kind, "format": FORMAT, "version": __version__,
            "identity": _plain(identity), "sha256": {name: sha256(blob) for name, blob in blobs.items()}}
    text = json.dumps(meta, indent=2)  # before the folder: an unwritable value leaves the old entry
    with atomic.folder(Path(folder)) as tmp:
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
        (tmp / META).write_text(text)
    return Path(folder)


def load(folder: Path, kind: str, identity: Mapping[str, Any], read: Optional[Callable[[Entry], T]] = None,
         why: Optional[Mapping[str, str]] = None) -> Optional[T]:
    """The entry in ``folder`` passed through ``read`` (default: the ``Entry`` itself), or None.

    None silently when there is no entry, or when ``read`` returns None (whole, but not what is
    asked now); None after one ``StaleRunWarning`` when the entry is damaged, of another format,
    kind or version, of another identity (``why`` words a differing identity key), or when ``read``
    raises ``Unusable`` or fails on the files.
    """
    folder = Path(folder)
    if not (folder / META).exists():
        return None
    try:
        meta = json.loads((folder / META).read_text())
        problem = _mismatch(meta, kind, _plain(identity), why or {})
        if problem is None:
            blobs, problem = _payload(folder, meta)
        if problem is None:
            entry = Entry(folder, meta, {name: _decode(name, blob) for name, blob in blobs.items()})
            return entry if read is None else read(entry)
    except Unusable as err:
        problem = str(err)
    except DAMAGE as err:
        problem = f"unreadable ({type(err).__name__}: {str(err)[:200]})"
    warn_stale(kind, folder, problem)
    return None


def damage(folder: Path) -> Optional[str]:
    """Why the entry in ``folder`` is not whole (unreadable description, a payload file missing or
    not matching its checksum), or None when it is: a check that needs no identity."""
    try:
        _, problem = _payload(Path(folder), json.loads((Path(folder) / META).read_text()))
    except DAMAGE as err:
        problem = f"unreadable ({type(err).__name__}: {str(err)[:200]})"
    return problem


def warn_stale(kind: str, folder: Path, why: str) -> None:
    """The one warning for a cached entry that is rebuilt because it cannot be reused."""
    folder = Path(folder)
    warnings.warn(f"cached {kind} {folder.name} in {folder.parent} cannot be reused: {why}; "
                  "it is rebuilt and replaced", StaleRunWarning, stacklevel=3)


def _mismatch(meta: dict, kind: str, identity: dict, why: Mapping[str, str]) -> Optional[str]:
    """Why an entry's description rules it out, or None."""
    if not isinstance(meta, dict) or "format" not in meta:
        return f"written in an older cache format (this store reads format {FORMAT})"
    if meta["format"] != FORMAT:
        return f"written in cache format {meta['format']}, this store reads format {FORMAT}"
    if meta["kind"] != kind:
        return f"it holds a {meta['kind']}, not a {kind}"
    if meta["version"] != __version__:
        return f"made by glo-report {meta['version']}, this is {__version__}"
    stored = meta["identity"]
    for key in sorted(set(stored) | set(identity)):
        if stored.get(key) != identity.get(key):
            return why.get(key, f"its stored {key} differs")
    return None


def _payload(folder: Path, meta: dict) -> tuple[dict, Optional[str]]:
    """Every payload file's bytes, and what is wrong with them (None: all match their checksums)."""
    blobs = {}
    for name, expected in meta["sha256"].items():
        path = folder / name
        if not path.exists():
            return blobs, f"{name} is missing"
        blobs[name] = path.read_bytes()
        if sha256(blobs[name]) != expected:
            return blobs, f"{name} does not match its checksum (the file was damaged)"
    return blobs, None


def _encode(name: str, value: Any) -> bytes:
    if name.endswith(".pt"):
        buf = io.BytesIO()
        torch.save(value, buf)
        return buf.getvalue()
    if name.endswith(".csv"):
        return value.to_csv(index=False).encode()
    if name.endswith(".json"):
        return json.dumps(value).encode()
    raise ValueError(f"the store keeps .pt, .csv and .json files, not {name!r}")


def _decode(name: str, blob: bytes) -> Any:
    if name.endswith(".pt"):
        return torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    if name.endswith(".csv"):
        return pd.read_csv(io.BytesIO(blob))
    if name.endswith(".json"):
        return json.loads(blob)
    raise ValueError(f"the store keeps .pt, .csv and .json files, not {name!r}")


def _plain(value: Any) -> Any:
    # round-trip through JSON so tuples and floats compare the way they are stored
    return json.loads(json.dumps(value))
