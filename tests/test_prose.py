import pandas as pd
import pytest

from glo_lib.checks import check_list
from glo_lib.prose import change, describe_trend, mean_std, plural
from glo_lib.studies.summary import load_results, summary_table


@pytest.mark.parametrize("values", [[], "0.3", [0.1, "a"], [0.1, -1.0], [0.1, 0.1], [True]])
def test_check_list_rejects_with_the_name(values):
    with pytest.raises(ValueError, match="sigmas must be a non-empty list of numbers >= 0"):
        check_list("sigmas", values, float, minimum=0.0)


def test_check_list_accepts_and_checks_ints():
    check_list("sigmas", [0, 0.5, 1], float, minimum=0.0)
    with pytest.raises(ValueError, match="seeds must be a non-empty list of integers"):
        check_list("seeds", [0, 1.5], int, minimum=0)


def test_generated_sentences_follow_the_numbers():
    assert describe_trend(0.30, 0.12, 0.03, "the leakage", "decreases").endswith("as expected.")
    flat = describe_trend(0.10, 0.11, 0.03, "the leakage", "decreases")
    assert "stays flat" in flat and "contradicts" in flat
    assert "increases" in describe_trend(0.1, 0.5, 0.03, "x", "decreases")
    assert change(0.2, 0.5, ".1f") == "rises from 0.2 to 0.5"
    assert change(0.5, 0.2, ".1f") == "falls from 0.5 to 0.2"
    assert change(0.5, 0.51, ".2f", tolerance=0.02) == "stays at about 0.50"
    assert plural(1, "seed") == "1 seed" and plural(3, "seed") == "3 seeds"


def test_mean_std_over_seeds():
    df = pd.DataFrame({"noise_std": [0, 0, 1, 1], "mse": [1.0, 3.0, 2.0, 2.0]})
    t = mean_std(df, "noise_std", ["mse"], digits=1)
    assert list(t["mse"]) == ["2.0 ± 1.4", "2.0 ± 0.0"]  # sample std (ddof=1) over seeds


def test_summary_needs_the_probe_csv_and_gathers_what_is_there(tmp_path):
    with pytest.raises(FileNotFoundError, match="content_probe.csv is missing"):
        load_results(tmp_path)
    pd.DataFrame({"noise_std": [0.0, 0.0, 1.0], "mse": [0.1, 0.3, 0.5], "probe_mlp": [0.1, 0.1, 0.2]}) \
        .to_csv(tmp_path / "content_probe.csv", index=False)
    pd.DataFrame({"loss": ["l1", "l2"], "mse": [0.4, 0.6]}).to_csv(tmp_path / "loss_comparison.csv", index=False)
    table = summary_table(load_results(tmp_path))
    assert list(table["experiment"]) == ["Table 1, sigma 0", "Table 1, sigma 1", "loss, l1", "loss, l2"]
    assert table["MSE"].tolist() == pytest.approx([0.2, 0.5, 0.4, 0.6])
    assert "Frechet" not in table  # measures no experiment has are left out
