"""Notebook 01's study module: Table 1 in the report's notation, and its sentence about the run."""
from types import SimpleNamespace

from glo_lib import GLOConfig
from glo_lib.studies import table1_run
from glo_lib.narrative import table1 as words


def test_table1_uses_the_reports_notation():
    table = table1_run.table1_table(GLOConfig(loss="l1+l2", noise_std=0.3))
    rows = dict(zip(table["Parameter"], table["Value"]))
    assert rows["Loss"] == "L1+L2" and rows["Content noise $\\sigma$"] == "0.3"
    assert "Noise sigma (content codes)" not in rows
    assert dict(zip(*table1_run.table1_table(GLOConfig(loss="l2")).T.values))["Loss"] == "L2"


def test_training_sentence_points_to_the_one_table_of_the_error():
    run = SimpleNamespace(config=GLOConfig(epochs=50, noise_std=0.3))
    said = words.training_sentence(run)
    assert said.endswith("is the $\\sigma$ = 0.3 row of the noise study's table.")
    assert "After 50 epochs" in said and not any(w in said for w in ("s per epoch", "cache", "took"))
