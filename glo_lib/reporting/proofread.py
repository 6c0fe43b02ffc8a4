"""Proofreading the merged report: one source of truth per number, no run log in the text.

The report's numbers live in its tables; its sentences and captions say what they mean and may
quote them. ``untabled_numbers`` finds every measured-looking number of the prose that no table
of the report prints, so two pages cannot give one measure two values. ``run_log_phrases`` finds
text that belongs in a notebook's log (timings, cache counts, file names), not in the report.
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
