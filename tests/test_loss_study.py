"""The loss comparison's study module (notebook 03): checks, tables and every sentence it writes."""
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from glo_lib import GLOConfig
from glo_lib.core.perceptual import VGG16_ENV
from glo_lib.core.sweep import SweepResult
from glo_lib.studies import loss_study

CAVEAT = (" Its feature network is the judge that also scores class transfer, so that column may flatter it: "
          "the run was trained to look right to that very network.")
COST_NOTE = "(recorded times; benchmarks/bench_train.py measures it side by side)."
LOSSES_MESSAGE = "losses must be a non-empty list of distinct names from l1, l2, l1+l2, perceptual; got "


def row(loss, seed=0, mse=0.1, l1=0.2, sharpness=0.9, transfer_accuracy=0.5, diversity=0.8, train_seconds=10.0):
    return {"loss": loss, "seed": seed, "mse": mse, "l1": l1, "sharpness": sharpness,
            "transfer_accuracy": transfer_accuracy, "diversity": diversity, "train_seconds": train_seconds}


def table(*rows):
    return pd.DataFrame(list(rows))


# ---------------------------------------------------------------- checks and settings

def test_check_study_accepts_the_defaults():
    loss_study.check_study(["l1", "l2", "l1+l2", "perceptual"], [0, 1, 2])


@pytest.mark.parametrize("losses", [["l1", "l3"], [], ["l1", "l1"], "l1", None, [["l1"]]])
def test_check_study_rejects_bad_losses_with_one_message(losses):
    with pytest.raises(ValueError) as err:
        loss_study.check_study(losses, [0])
    assert str(err.value) == LOSSES_MESSAGE + repr(losses)


@pytest.mark.parametrize("seeds", [[], [-1], [0, 0], [0.5], "0"])
def test_check_study_names_the_seeds(seeds):
    with pytest.raises(ValueError, match="^seeds must be"):
        loss_study.check_study(["l1"], seeds)


def test_smoke_judge_trains_the_judge_one_epoch_and_changes_nothing_else():
    cfg = GLOConfig(n_samples=60, epochs=2)
    assert loss_study.smoke_judge(cfg) == cfg.replace(perceptual_judge_epochs=1)


@pytest.mark.parametrize("seed, smoke, expected", [(0, False, [0, 1, 2]), (2, False, [2, 0, 1]),
                                                   (5, False, [5, 0, 1, 2]), (2, True, [2])])
def test_run_seeds_put_the_figures_seed_first(seed, smoke, expected):
    assert loss_study.run_seeds(seed, [0, 1, 2], smoke) == expected


def test_require_feature_net_stops_only_for_a_vgg16_perceptual_loss_without_weights(monkeypatch, tmp_path):
    monkeypatch.setenv(VGG16_ENV, str(tmp_path / "nowhere.pth"))
    vgg = GLOConfig(perceptual_net="vgg16")
    loss_study.require_feature_net(vgg, ["l1", "l2"])  # no perceptual loss: no network needed
    loss_study.require_feature_net(GLOConfig(), ["perceptual"])  # the judge: nothing to download
    with pytest.raises(FileNotFoundError, match=rf"{VGG16_ENV}.*nowhere\.pth"):
        loss_study.require_feature_net(vgg, ["l1", "perceptual"])


# ---------------------------------------------------------------- runs, histories, measures

def fake_run(loss, seed, history=None):
    images = torch.full((20, 1, 28, 28), float(seed))
    return SimpleNamespace(config=GLOConfig(loss=loss, seed=seed, n_samples=60, epochs=2), history=history,
                           digits=SimpleNamespace(images=images),
                           reconstructions=lambda ids=None, s=seed, l=loss: torch.full(
                               (len(ids) if ids is not None else 20, 1, 28, 28), s + len(l) / 10))


def test_reconstruction_rows_show_the_seeds_digits_then_each_loss_in_order():
    runs = [fake_run(l, s) for l in ("l1", "l2") for s in (0, 3)]
    rows = loss_study.reconstruction_rows(runs, seed=3, n=4)
    assert list(rows) == ["ground truth", "l1", "l2"]
    assert rows["ground truth"].shape == (4, 1, 28, 28) and rows["ground truth"].unique().tolist() == [3.0]
    assert rows["l2"].unique().tolist() == [pytest.approx(3.2)]


def test_mean_histories_average_each_epoch_over_seeds():
    h0 = pd.DataFrame({"epoch": [1, 2], "mse": [0.4, 0.2]})
    h1 = pd.DataFrame({"epoch": [1, 2], "mse": [0.2, 0.1]})
    runs = [fake_run("l2", 0, h0), fake_run("l2", 1, h1), fake_run("l1", 0, h1)]
    means = loss_study.mean_histories(runs)
    assert list(means) == ["l2", "l1"]
    assert means["l2"]["mse"].tolist() == pytest.approx([0.3, 0.15])
    assert means["l2"]["epoch"].tolist() == [1, 2] and means["l1"]["mse"].tolist() == pytest.approx([0.2, 0.1])


def test_measure_runs_add_sharpness_to_each_runs_evaluation(monkeypatch):
    calls = []

    def fake_evaluate(run, judge, n_generated):
        calls.append((run.config.seed, judge, n_generated))
        return {"loss": run.config.loss, "seed": run.config.seed, "mse": 0.5}

    monkeypatch.setattr(loss_study, "cached_evaluate", fake_evaluate)
    monkeypatch.setattr(loss_study, "relative_sharpness", lambda recon, real: float(real.mean()) + 0.25)
    df = loss_study.measure_runs([fake_run("l1", 0), fake_run("l1", 1)], {0: "judge0", 1: "judge1"}, 100)
    assert calls == [(0, "judge0", 100), (1, "judge1", 100)]
    assert df.to_dict("records") == [{"loss": "l1", "seed": 0, "mse": 0.5, "sharpness": 0.25},
                                     {"loss": "l1", "seed": 1, "mse": 0.5, "sharpness": 1.25}]


# ---------------------------------------------------------------- table and captions

def test_measure_table_with_one_seed_shows_four_significant_digits():
    t = loss_study.measure_table(table(row("l2", mse=0.219735, sharpness=0.0959081), row("l1")))
    assert t.index.name == "loss" and list(t.index) == ["l2", "l1"]
    assert list(t.columns) == ["MSE", "L1", "sharpness", "class transfer", "diversity"]
    assert t.loc["l2"].tolist() == ["0.2197", "0.2", "0.09591", "0.5", "0.8"]


def test_measure_table_with_seeds_shows_mean_and_sample_std():
    t = loss_study.measure_table(table(row("l1", 0, mse=0.1), row("l1", 1, mse=0.2)))
    assert t.at["l1", "MSE"] == "0.1500 ± 0.0707" and t.at["l1", "L1"] == "0.2000 ± 0.0000"


def test_table_caption_names_the_spread_only_with_several_seeds():
    one = loss_study.table_caption(table(row("l1"), row("l2")))
    assert one == ("Measures per loss, mean over 1 seed; sharpness and diversity are relative to real digits "
                   "(1 = like MNIST).")
    three = loss_study.table_caption(table(*[row("l1", s) for s in range(3)]))
    assert three.startswith("Measures per loss, mean ± standard deviation over 3 seeds; sharpness")


def test_curves_caption_says_means_only_with_several_seeds():
    start = ("Per epoch, for each loss: the loss it optimised (left, log scale), and the MSE (middle) and "
             "L1 error (right) of its noise-free reconstructions")
    assert loss_study.curves_caption(1) == start + "."
    assert loss_study.curves_caption(3) == start + "; means over 3 seeds."


@pytest.mark.parametrize("losses, seeds, expected", [
    (["l1", "l2", "l1+l2", "perceptual"], [2, 0, 1], "4 losses × 3 seeds (2, 0, 1), 60 digits and 2 epochs each: "
                                                      "12 runs in 1.5 s: 10 trained, 2 loaded from the cache."),
    (["l2"], [0], "1 loss × 1 seed (0), 60 digits and 2 epochs each: 1 runs in 1.5 s: 1 trained, "
                  "0 loaded from the cache."),
])
def test_runs_sentence_counts_losses_seeds_and_runs(losses, seeds, expected):
    runs = [fake_run(l, s) for l in losses for s in seeds]
    n_cached = 2 if len(runs) > 1 else 0
    result = SweepResult(runs, 1.5, n_cached, len(runs) - n_cached)
    assert loss_study.runs_sentence(result) == expected


# ---------------------------------------------------------------- which loss wins

def test_ranking_orders_by_low_high_or_closeness_to_one():
    means = loss_study.loss_means(table(row("a", sharpness=0.5, mse=0.3), row("b", sharpness=1.2, mse=0.1),
                                        row("c", sharpness=0.95, mse=0.2)))
    assert loss_study.ranking(means, "mse", "low")[0] == ["b", "c", "a"]
    assert loss_study.ranking(means, "mse", "high")[0] == ["a", "c", "b"]
    order, key = loss_study.ranking(means, "sharpness", "one")
    assert order == ["c", "b", "a"] and key["a"] == pytest.approx(0.5)


def test_verdict_with_a_single_loss_names_it_only():
    means = loss_study.loss_means(table(row("l1", mse=0.12345)))
    assert loss_study.verdict(means, "mse", "lowest MSE", "low") == "- lowest MSE: l1 (0.1235)"


def test_verdict_with_one_seed_says_nothing_about_the_spread():
    means = loss_study.loss_means(table(row("l1", mse=0.3), row("l2", mse=0.1), row("p", mse=0.2)))
    assert (loss_study.verdict(means, "mse", "lowest MSE", "low")
            == "- lowest MSE: **l2** (0.1000), ahead of p (0.2000); last l1 (0.3000)")


def test_verdict_with_seeds_tells_a_clear_lead_from_one_within_the_spread():
    clear = loss_study.loss_means(table(row("l1", 0, mse=0.10), row("l1", 1, mse=0.11),
                                        row("l2", 0, mse=0.20), row("l2", 1, mse=0.21)))
    assert (loss_study.verdict(clear, "mse", "lowest MSE", "low")
            == "- lowest MSE: **l1** (0.1050), ahead of l2 (0.2050), by more than the spread between seeds; "
               "last l2 (0.2050)")
    close = loss_study.loss_means(table(row("l1", 0, mse=0.10), row("l1", 1, mse=0.20),
                                        row("l2", 0, mse=0.12), row("l2", 1, mse=0.22)))
    assert loss_study.verdict(close, "mse", "lowest MSE", "low").endswith(
        "ahead of l2 (0.1700), within the spread between seeds; last l2 (0.1700)")


def test_wins_sentence_lists_every_measure_and_tallies_the_winners():
    text = loss_study.wins_sentence(table(
        row("l1", mse=0.1, l1=0.2, sharpness=0.9, transfer_accuracy=0.5, diversity=0.8),
        row("perceptual", mse=0.2, l1=0.3, sharpness=0.7, transfer_accuracy=0.6, diversity=0.7)))
    assert text == ("Which loss wins on what:\n\n"
                    "- lowest MSE: **l1** (0.1000), ahead of perceptual (0.2000); last perceptual (0.2000)\n"
                    "- lowest L1 error: **l1** (0.2000), ahead of perceptual (0.3000); last perceptual (0.3000)\n"
                    "- sharpness closest to the real digits: **l1** (0.9000), ahead of perceptual (0.7000); "
                    "last perceptual (0.7000)\n"
                    "- highest class-transfer accuracy: **perceptual** (0.6000), ahead of l1 (0.5000); "
                    "last l1 (0.5000)\n"
                    "- diversity closest to the real digits: **l1** (0.8000), ahead of perceptual (0.7000); "
                    "last perceptual (0.7000)\n\n"
                    "l1 wins 4 of 5 measures; perceptual wins 1 of 5 measures.")


# ---------------------------------------------------------------- does L2 blur, the perceptual note

def test_blur_sentence_confirms_when_l2_is_the_blurriest():
    text = loss_study.blur_sentence(table(row("l1", sharpness=0.8), row("l2", sharpness=0.5),
                                          row("perceptual", sharpness=0.9)))
    assert text == ("L2 blurs, as expected: its reconstructions are the blurriest, with 0.50 of the real digits' "
                    "Laplacian variance, against 0.90 for perceptual.")


def test_blur_sentence_contradicts_when_another_loss_is_blurrier():
    text = loss_study.blur_sentence(table(row("l1", sharpness=0.1), row("l2", sharpness=0.09),
                                          row("perceptual", sharpness=0.07)))
    assert text == ("The claim that L2 blurs does not hold here: its reconstructions have 0.09 of the real "
                    "digits' Laplacian variance, and perceptual's are blurrier (0.07).")


@pytest.mark.parametrize("losses", [["l1", "perceptual"], ["l2"]])
def test_blur_sentence_is_none_without_l2_or_without_a_rival(losses):
    assert loss_study.blur_sentence(table(*[row(l) for l in losses])) is None


def test_perceptual_sentence_compares_with_l1_l2_and_warns_about_the_judge():
    text = loss_study.perceptual_sentence(table(row("l1", train_seconds=1.0), row("l1+l2", train_seconds=2.0),
                                                row("perceptual", train_seconds=7.0)), "judge")
    assert text == ("The perceptual loss used the judge as its frozen feature network. Training it took 3.5 times "
                    "as long as l1+l2 " + COST_NOTE + CAVEAT)


def test_perceptual_sentence_without_l1_l2_compares_with_the_first_other_loss():
    text = loss_study.perceptual_sentence(table(row("perceptual", train_seconds=6.0), row("l2", train_seconds=4.0),
                                                row("l1", train_seconds=1.0)), "vgg16")
    assert text == ("The perceptual loss used the vgg16 as its frozen feature network. Training it took 1.5 times "
                    "as long as l2 " + COST_NOTE)


def test_perceptual_sentence_alone_has_no_cost_and_none_without_it():
    assert (loss_study.perceptual_sentence(table(row("perceptual")), "judge")
            == "The perceptual loss used the judge as its frozen feature network." + CAVEAT)
    assert loss_study.perceptual_sentence(table(row("perceptual")), "vgg16") == (
        "The perceptual loss used the vgg16 as its frozen feature network.")
    assert loss_study.perceptual_sentence(table(row("l1"), row("l2")), "judge") is None
