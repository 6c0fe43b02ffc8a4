"""Proofreading the merged report: one source of truth per number, no run log in the text.

The report's numbers live in its tables; its sentences and captions say what they mean and may
quote them. ``untabled_numbers`` finds every measured-looking number of the prose that no table
of the report prints, so two pages cannot give one measure two values. ``run_log_phrases`` finds
text that belongs in a notebook's log (timings, cache counts, file names), not in the report.
``named_references`` finds a figure, table or section referred to by its notebook's or its own name
("(the noise study's table)", "(content probe)", "the regimes table") or by where it stands ("the
table above": floats move), where the report gives its number ("Table 3": display.py's references).
"""
from __future__ import annotations

import re

import nbformat

#: numbers printed at a measure's precision: a share with one decimal ("91.3%") or a value with
#: four decimals ("0.0123", the MSE). Parameters (0.3, 0.001), thresholds (0.015, 10%) and values
#: the text rounds on purpose ("about 97%") have other forms and are not checked
QUOTED = re.compile(r"(?<![\d.])(\d+\.\d)%|(?<![\d.])(\d+\.\d{4})(?![\d])")
#: every decimal number of a table
TABLED = re.compile(r"(?<![\d.])\d+\.\d+")
#: what a run log says and a report does not: timings, cache traffic, seed counts, file names
RUN_LOG = re.compile(r"\b\d+(?:\.\d+)? ?(?:s|seconds?|min|minutes?)\b|\bcache[sd]?\b|seed\(s\)|"
                     r"\b[\w-]+\.(?:csv|ipynb|pt|json|png|pdf)\b|\btrained here\b|\bloaded from\b", re.I)

#: what the report's studies were called before they were numbered sections (the notebooks' names)
STUDIES = (r"(?:the )?(?:noise study|content noise|loss comparison|random sampling|sampling(?: study)?|"
           r"(?:adversarial )?content probe|encoders?(?: study)?|summary)")
#: the report's tables and figures called by a name instead of their number
FLOATS = r"(?:table|figure|panel|plot|chart)s?"
#: references by name: a study named in brackets, "(the noise study's table)", "(content probe)",
#: "(sampling)"; a study's or a float's own name with table or figure, "the regimes table", "the
#: noise study's figure", "notebook 02's table"; "panel (b) of the figure"
BY_NAME = (
    rf"\(\s*(?:see |in |as in )?{STUDIES}(?:'s? {FLOATS})?\s*\)",
    rf"\bthe {STUDIES}'s? {FLOATS}\b",
    rf"\bthe (?:regimes?|leakage|floors?|init(?:ialisation)?|noise|decay|loss(?:es)?|samplers?|frontier|"
    rf"anchor|encoders?|settings|summary) {FLOATS}\b",
    rf"\bnotebook \d{{1,2}}'s {FLOATS}\b",
    rf"\(\s*(?:see |in )?notebook \d{{1,2}}\s*\)",
    rf"\bpanel \([a-z]\) of the {FLOATS}\b",
)
#: references by position, which LaTeX's floats do not keep: "the table above", "the figure below"
BY_POSITION = (rf"\b{FLOATS} (?:above|below)\b",)
NAMED_REFERENCE = re.compile("|".join(f"(?:{p})" for p in BY_NAME), re.I)
POSITIONAL_REFERENCE = re.compile("|".join(f"(?:{p})" for p in BY_POSITION), re.I)


def report_parts(nb: nbformat.NotebookNode) -> tuple[list[str], list[str]]:
    """The merged notebook's prose (Markdown cells, generated sentences, captions) and its tables."""
    prose, tables = [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            prose.append(cell.source)
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "caption" in out.get("metadata", {}):
                prose.append(out["metadata"]["caption"])
            if "text/latex" in data and "\\begin{tabular}" in data["text/latex"]:
                latex = data["text/latex"]
                caption = re.search(r"\\caption\{(.*)\}\n\\begin\{adjustbox\}", latex, re.S)
                body = latex[latex.index("\\begin{tabular}"):]
                tables.append(body)
                if caption:
                    prose.append(caption.group(1))
            elif "text/markdown" in data:
                prose.append(data["text/markdown"])
    return prose, tables


def quoted_numbers(text: str) -> list[str]:
    """The measured-looking numbers of ``text`` (without their % sign), in order."""
    return [a or b for a, b in QUOTED.findall(text)]


def untabled_numbers(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(number, the sentence around it) for every quoted number no table of ``nb`` prints."""
    prose, tables = report_parts(nb)
    printed = {n for t in tables for n in TABLED.findall(t)}
    missing = []
    for text in prose:
        for number in quoted_numbers(text):
            if number not in printed:
                at = text.find(number)
                missing.append((number, text[max(0, at - 80):at + 40]))
    return missing


def run_log_phrases(text: str) -> list[str]:
    """The run-log phrases of ``text`` (each with a little context)."""
    return [text[max(0, m.start() - 40):m.end() + 20] for m in RUN_LOG.finditer(text)]


def named_references(text: str, by_position: bool = True) -> list[str]:
    """The references of ``text`` by a notebook's or a float's name ("(the noise study's table)",
    "(content probe)", "the regimes table"), and with ``by_position`` by where a float stands ("the
    table above"), each with a little context: the report refers by number ("Table 3")."""
    found = [m for m in NAMED_REFERENCE.finditer(text)]
    if by_position:
        found += [m for m in POSITIONAL_REFERENCE.finditer(text)]
    return [text[max(0, m.start() - 30):m.end() + 10] for m in sorted(found, key=lambda m: m.start())]
