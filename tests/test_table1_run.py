"""Notebook 01's study module: Table 1 in the report's notation, its sentence about the run, the
parameter tables of the later stages, and the numbers of the floats and sections sentences name."""
import re
from types import SimpleNamespace

import nbformat

from conftest import ROOT
from glo_lib import GLOConfig
from glo_lib.core.encoders import EncoderSettings
from glo_lib.studies import table1_run
from glo_lib.narrative import table1 as words


def test_table1_uses_the_reports_notation_and_marks_the_courses_rows():
    table = table1_run.table1_table(GLOConfig(loss="l1+l2", noise_std=0.3))
    rows = dict(zip(table["Parameter"], table["Value"]))
    assert rows["Loss"] == "L1+L2" and rows["Content noise $\\sigma$"] == "0.3"
    assert "Noise sigma (content codes)" not in rows
    assert dict(zip(*table1_run.table1_table(GLOConfig(loss="l2"))[["Parameter", "Value"]].T.values))["Loss"] == "L2"
    origin = dict(zip(table["Parameter"], table["from"]))
    assert [p for p, o in origin.items() if o == "course"] == [
        "Training images", "Epochs", "Batch size", "Content noise $\\sigma$", "Learning rate, generator",
        "Learning rate, class codes", "Learning rate, content codes", "Loss"]
    assert rows["Generator / code initialisation"] == "deeper, batch norm / $\\mathcal{N}(0, 1)$"  # words, not code names
    assert "course report's Table 1" in words.TABLE1_CAPTION and "open rows are choices" in words.TABLE1_CAPTION


def test_training_sentence_points_to_the_one_table_of_the_error():
    run = SimpleNamespace(config=GLOConfig(epochs=50, noise_std=0.3))
    said = words.training_sentence(run)
    assert said.endswith("is the $\\sigma$ = 0.3 row of [Table](#tab:noise-sweep).") and "([Figure](#fig:reconstructions), without content noise)" in said
    assert "After 50 epochs" in said and not any(w in said for w in ("s per epoch", "cache", "took", "below"))


def test_settings_table_gives_values_not_code_names():
    table = table1_run.settings_table(EncoderSettings(anchor_weight=10.0, shift_px=2.0))
    rows = dict(zip(table["Parameter"], table["Value"]))
    assert rows["Anchor weight in phase 2, class code / content code (0: off)"] == "10 / 0"
    assert rows["Random shift of the training digits (pixels)"] == "2"
    from dataclasses import fields
    given = {f for fs in table1_run.STAGE2_ROWS.values() for f in fs}
    assert given == {f.name for f in fields(EncoderSettings)} - {"seed"}  # every setting of the stage
    assert not any("_" in p for p in rows)  # no field names


def _cells():
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            yield path.stem, cell


def test_every_label_sentences_refer_to_is_given_once_where_its_float_or_heading_is_shown():
    for key, label in words.LABELS.items():
        if label.startswith("sec:"):
            where = [n for n, c in _cells() if c.cell_type == "markdown"
                     and re.search(rf'^#{{1,3}} .*<a id="{label}"></a>\s*$', c.source, re.M)]
        else:
            where = [n for n, c in _cells() if c.cell_type == "code" and f'label=narrative.table1.LABELS["{key}"]' in c.source]
        assert len(where) == 1, f"{key} ({label}) is given in {where}"
    assert words.REFS["noise"] == "[Table](#tab:noise-sweep)" and words.ref("sec:methods") == "[Section](#sec:methods)"


def test_the_markdown_refers_only_to_labels_the_report_gives():
    from glo_lib.narrative import probe

    known = set(words.LABELS.values()) | {v for k, v in vars(probe).items() if k.endswith("_LABEL")}
    for name, cell in _cells():
        if cell.cell_type == "markdown" and not name.startswith("05"):
            for label in re.findall(r"\]\(#([a-z]+:[a-z0-9-]+)\)", cell.source):
                assert label in known, (name, label)
            assert not re.search(r"\b(Table [2-9]|Figure \d|Section \d)", cell.source), (name, cell.source[:80])
