"""Where things live: the project folder, the run cache and the build folder."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


class ProjectNotFound(LookupError):
    """No glo-report project (a folder with notebooks/ and report/) at or above a folder."""


def cache_dir() -> Path:
    """``$GLO_CACHE_DIR``, else ``$XDG_CACHE_HOME/glo-report``, else ``~/.cache/glo-report``."""
    if os.environ.get("GLO_CACHE_DIR"):
        return Path(os.environ["GLO_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "glo-report"


def project_root(start: Optional[Path] = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding ``notebooks/`` and ``report/``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "report").is_dir():
            return folder
    raise ProjectNotFound(f"no glo-report project (a folder with notebooks/ and report/) at or above {here}")


def build_dir() -> Path:
    """Where build products go: ``$GLO_BUILD_DIR``, else ``<project>/report/build``."""
    if os.environ.get("GLO_BUILD_DIR"):
        return Path(os.environ["GLO_BUILD_DIR"])
    try:
        return project_root() / "report" / "build"
    except ProjectNotFound:
        return Path.cwd() / "report" / "build"
