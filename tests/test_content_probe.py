"""glo_lib.studies.content_probe: the probe sweep's grid, judges, table, captions and sentences."""
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import papermill
import pytest

from conftest import ROOT
from glo_lib.reporting import charts
from glo_lib.studies import content_probe as cp
from glo_lib.narrative import probe as words



def _run(sigma, seed, tag=""):
    return SimpleNamespace(config=SimpleNamespace(noise_std=sigma, seed=seed), digits=f"digits {seed}{tag}",
                           model=f"model {sigma} {seed}")


def test_one_judge_per_seed_on_that_seeds_pool(monkeypatch):
    calls = []
    monkeypatch.setattr(cp, "judge_or_load", lambda digits, epochs: calls.append((digits, epochs)) or digits)
    judges = cp.judges_by_seed([_run(0.0, 0), _run(1.0, 0, "b"), _run(0.0, 1)], judge_epochs=3)
    assert judges == {0: "digits 0b", 1: "digits 1"}  # the last run of a seed gives its pool
    assert calls == [("digits 0b", 3), ("digits 1", 3)]


def test_confusions_of_the_figures_seed_at_the_extreme_sigmas(monkeypatch):
    monkeypatch.setattr(cp, "class_transfer", lambda model, judge: {"confusion": (model, judge)})
    runs = [_run(s, k) for s in (0.0, 0.3, 1.0) for k in (0, 1)]
    assert cp.seed_confusions(runs, "judge", seed=1) == {"$\\sigma$ = 0": ("model 0.0 1", "judge"),
                                                         "$\\sigma$ = 1": ("model 1.0 1", "judge")}


def _judges(accuracies):
    return cp.judges_table({k: SimpleNamespace(accuracy=a, n_test=988, n_train=3952)
                            for k, a in enumerate(accuracies)})


def test_judge_sentence_one_pool_and_several():
    assert words.judge_sentence(_judges([0.941])) == (
        "Over 1 held-out pool the judge recognises 94.1% of the 988 real test digits it never saw "
        "(trained on 3952 others), so a class-transfer accuracy near that level means the class code "
        "fully decides the digit.")
    assert words.judge_sentence(_judges([0.97, 0.95, 0.96])).startswith(
        "Over 3 held-out pools the judge recognises 95.0% to 97.0% of the 988 real test digits")


def test_mean_judge_accuracy():
    assert cp.mean_judge_accuracy(_judges([0.9, 0.96])) == pytest.approx(0.93)


def _measures(mlp=(0.30, 0.12), transfer=(0.50, 0.80), mse=(0.0200, 0.0300), diversity=(0.90, 0.70),
              shift=(0.10, 0.10), mlp_std=0.01, lr=0.001, epochs=50):
    """Two seeds at sigma 0 and 1; seed 1 is seed 0 plus 0.01 (so the means are the given values + 0.005)."""
    rows = []
    for i, sigma in enumerate((0.0, 1.0)):
        for seed in (0, 1):
            d = 0.01 * seed
            rows.append({"noise_std": sigma, "seed": seed, "lr_content": lr, "epochs": epochs,
                         "probe_logreg": mlp[i] + 0.05 + d, "probe_mlp": mlp[i] + d - 0.005, "probe_mlp_std": mlp_std,
                         "probe_majority": 0.1, "transfer_accuracy": transfer[i] + d - 0.005,
                         "mse": mse[i], "diversity": diversity[i], "content_shift": shift[i]})
    return pd.DataFrame(rows)


def test_settings_table_holds_every_number_the_sentences_quote():
    fast = _measures(mlp=(0.60, 0.20), transfer=(0.70, 0.703), mse=(0.0150, 0.0250), shift=(0.8, 1.0), lr=0.01)
    table = cp.settings_table({"Table 1": _measures(), "content lr 0.01": fast})
    assert list(table.columns) == ["setting", "$\\sigma$", "MLP probe (%)", "logistic probe (%)", "class transfer (%)",
                                   "MSE", "travel (%)"]
    assert table["setting"].tolist() == ["Table 1", "Table 1", "content lr 0.01", "content lr 0.01"]
    assert table["$\\sigma$"].tolist() == ["0", "1", "0", "1"]
    assert table.iloc[0].tolist()[2:] == ["30.0", "35.5", "50.0", "0.0200", "10"]
    printed = " ".join(table.astype(str).to_numpy().ravel())
    for sentence in (words.leakage_sentence(_measures()), words.fast_lr_sentence(_measures(), fast)):
        for number in [w.rstrip("%).,;:") for w in sentence.replace("(", " ").split() if "." in w and w[0].isdigit()]:
            assert number.rstrip("%") in printed or len(number.split(".")[1].rstrip("%")) == 2, number


def test_sweep_sentence():
    grid = {"noise_std": [0.0, 1.0], "seed": [0]}
    assert words.sweep_sentence("2 runs in 1.0 s", grid) == "**Table 1 sweep**: 2 runs in 1.0 s (2 values of sigma x 1 seed)."


def test_captions():
    assert words.settings_caption(3).startswith("Leakage and class control at the lowest and highest $\\sigma$ for each "
                                             "setting (means over 3 seeds).")
    assert words.settings_figure_caption(["Table 1", "lord init"]).endswith(
        "against $\\sigma$ for 2 settings: Table 1, lord init. Bands: one standard deviation over seeds.")
    assert words.confusion_caption(2).startswith("Class transfer at the lowest and highest $\\sigma$ (seed 2): ")


def test_leakage_sentence_when_everything_moves():
    assert words.leakage_sentence(_measures()) == (
        "**Too little noise?** Under the Table 1 settings, from $\\sigma$ = 0 to 1: Within the spread of the "
        "measurement, the MLP probe's accuracy on the content codes decreases (30.0% to 12.0%), as expected. "
        "Chance is 10%; a change within the probe's fold-to-fold spread (about 3%) counts as none.")


def test_leakage_sentence_small_changes_stay_and_the_spread_can_exceed_the_floor():
    text = words.leakage_sentence(_measures(mlp=(0.12, 0.15), mlp_std=0.05))
    assert "fold-to-fold spread (about 5%) counts as none" in text
    assert "accuracy on the content codes stays flat (12.0% to 15.0%): this contradicts the expectation that it " \
           "decreases." in text


def test_shift_sentence_near_and_far():
    near = words.shift_sentence(_measures(shift=(0.10, 0.20)))
    assert near == ("How far did the content codes travel? They start as N(0, 1) vectors and, with a learning rate "
                    "of 0.001 for 50 epochs, each code is updated 50 times; on average a code ends 15% of its "
                    "starting length away from where it began. Codes that stay this close to a random start can "
                    "hardly carry the class, so the probes cannot find it at any $\\sigma$; what $\\sigma$ changes is how "
                    "much the generator may rely on the exact code.")
    far = words.shift_sentence(_measures(shift=(0.25, 0.25), lr=0.01, epochs=2))
    assert far.endswith("learning rate of 0.01 for 2 epochs, each code is updated 2 times; on average a code ends "
                        "25% of its starting length away from where it began. The codes move far enough to encode "
                        "what the generator asks of them.")


def test_fast_lr_sentence_against_the_table1_rate():
    fast = _measures(mlp=(0.60, 0.20), transfer=(0.70, 0.703), mse=(0.0150, 0.0250), shift=(0.8, 1.0), lr=0.01)
    assert words.fast_lr_sentence(_measures(), fast) == (
        "With a content learning rate of 0.01 the codes travel 90% of their starting length (Table 1: 10%). "
        "From $\\sigma$ = 0 to 1: Within the spread of the measurement, the MLP probe's accuracy decreases "
        "(60.0% to 20.0%), as expected. Class-transfer accuracy stays at about 70.0%.")
    rising = words.fast_lr_sentence(_measures(), _measures(mlp=(0.10, 0.20), transfer=(0.5, 0.9)))
    assert "the MLP probe's accuracy increases (10.0% to 20.0%): this contradicts" in rising
    assert rising.endswith("Class-transfer accuracy rises from 50.0% to 90.0%.")


def test_confusion_pair_titles_each_panel():
    fig = charts.confusion_pair({"$\\sigma$ = 0": np.eye(10, dtype=int), "$\\sigma$ = 1": np.ones((10, 10), dtype=int)})
    assert [ax.get_title() for ax in fig.axes] == ["$\\sigma$ = 0", "$\\sigma$ = 1"]
    plt.close(fig)


def test_notebook_rejects_a_bad_parameter_before_training(tmp_path):
    notebook = ROOT / "notebooks" / "05_content_probe.ipynb"
    with pytest.raises(papermill.PapermillExecutionError, match="fast_lr_content must be a finite number >= 0"):
        papermill.execute_notebook(str(notebook), str(tmp_path / "bad.ipynb"), progress_bar=False,
                                   parameters={"smoke": True, "fast_lr_content": -0.01}, cwd=str(notebook.parent))


def test_init_sentence_compares_the_two_starts():
    import pandas as pd

    from glo_lib import GLOConfig
    from glo_lib.studies import content_probe as cp

    def table(init, probe_lo, probe_hi, tr_lo, tr_hi):
        return pd.DataFrame({"noise_std": [0.0, 1.0], "code_init": init, "probe_mlp": [probe_lo, probe_hi],
                             "probe_mlp_std": 0.01, "transfer_accuracy": [tr_lo, tr_hi], "mse": [0.01, 0.03]})

    said = words.init_sentence(table("normal", 0.1, 0.1, 0.8, 0.97), table("lord", 0.45, 0.25, 0.5, 0.9))
    assert said == ("With codes uniform in ±0.05 (LORD), from $\\sigma$ = 0 to 1: Within the spread of the measurement, "
                    "the MLP probe's accuracy decreases (45.0% to 25.0%), as expected. Class-transfer accuracy rises "
                    "from 50.0% to 90.0%.")
    assert cp.other_init(GLOConfig()).code_init == "lord" and cp.other_init(GLOConfig(code_init="lord")).code_init == "normal"
