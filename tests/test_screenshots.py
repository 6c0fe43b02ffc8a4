"""The README's screenshots show notebooks that exist (no browser: reads their sidecars).

``make lab-screenshot`` writes ``docs/<picture>.png`` and beside it ``docs/<picture>.json``: the
names the picture shows, read from JupyterLab's file browser and tab bar, and the picture's
checksum. A notebook renamed or removed since makes this test fail until the picture is refreshed.
"""
import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PICTURES = sorted(DOCS.glob("*.png"))
REFRESH = "refresh it with `make lab-screenshot`"


def _record(png: Path) -> dict:
    sidecar = png.with_suffix(".json")
    assert sidecar.exists(), f"{png.relative_to(ROOT)} has no {sidecar.name} saying what it shows: {REFRESH}"
    return json.loads(sidecar.read_text())


@pytest.mark.parametrize("png", PICTURES, ids=[p.name for p in PICTURES])
def test_a_screenshot_names_only_notebooks_that_exist(png):
    record = _record(png)
    assert record["sha256"] == hashlib.sha256(png.read_bytes()).hexdigest(), (
        f"{png.name} is not the picture its {png.with_suffix('.json').name} describes: {REFRESH}")
    shown = record["file_browser"] + record["tabs"]
    assert any(name.endswith(".ipynb") for name in shown), f"{png.name}'s record lists no notebook: {shown}"
    notebooks = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    gone = sorted({name for name in shown if name.endswith(".ipynb")} - notebooks)
    assert not gone, f"{png.relative_to(ROOT)} shows {', '.join(gone)}, no longer in notebooks/: {REFRESH}"


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_and_docs_show_and_link_only_what_is_there():
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+://", target):
                continue  # the web is not checked here
            path, _, anchor = target.partition("#")
            linked = (page.parent / path) if path else page
            assert linked.is_file(), f"{page.relative_to(ROOT)} links {target}, which is missing"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), flags=re.M)
                assert anchor in {_anchor(h) for h in headings}, f"{page.relative_to(ROOT)} links {target}: no such heading"
