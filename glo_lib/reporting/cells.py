"""The notebooks' parameters cells, written from the settings classes they build.

papermill needs a cell of literals; its text is generated (``studies.settings.parameters_cell``)
so that every default and every line of help has one home. ``python -m glo_lib.reporting.cells``
rewrites the cells that differ; the test suite fails while any differs.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import atomic
from ..paths import project_root
from ..studies.settings import NOTEBOOK_SETTINGS, parameters_cell


def parameters_cell_index(notebook: dict) -> int:
    """Position of the cell tagged ``parameters``."""
    for i, cell in enumerate(notebook["cells"]):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    raise ValueError("no cell tagged 'parameters'")


def stale_cells(root: Path) -> dict[Path, str]:
    """Notebook -> the parameters cell it should have, for every notebook whose cell differs."""
    out = {}
    for stem in NOTEBOOK_SETTINGS:
        path = root / "notebooks" / f"{stem}.ipynb"
        nb = json.loads(path.read_text())
        want = parameters_cell(stem)
        if "".join(nb["cells"][parameters_cell_index(nb)]["source"]) != want:
            out[path] = want
    return out


def write_cells(root: Path) -> list[Path]:
    """Rewrite the parameters cell of every notebook whose cell differs; returns those notebooks."""
    changed = stale_cells(root)
    for path, source in changed.items():
        nb = json.loads(path.read_text())
        nb["cells"][parameters_cell_index(nb)]["source"] = source.splitlines(keepends=True)
        atomic.write_bytes(path, (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode())
    return list(changed)


if __name__ == "__main__":
    for written in write_cells(project_root()):
        print(f"rewrote the parameters cell of {written.name}")
    sys.exit(0)
