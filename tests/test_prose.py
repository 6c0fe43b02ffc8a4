import pandas as pd
import pytest

from glo_lib.checks import check_list
from glo_lib.prose import change, describe_trend, mean_std, plural


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

