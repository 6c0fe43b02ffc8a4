"""The loss comparison's study module (notebook 03): checks, tables and every sentence it writes."""
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from glo_lib import GLOConfig
from glo_lib.core.perceptual import VGG16_ENV
from glo_lib.core.sweep import SweepResult
from glo_lib.studies import loss_study
from glo_lib.narrative import losses as words

CAVEAT = (" That network is the judge that also scores class transfer, so that column may flatter it: "
          "the run was trained to look right to that very network.")
LOSSES_MESSAGE = "losses must be a non-empty list of distinct names from l1, l2, l1+l2, perceptual; got "


def row(loss, seed=0, mse=0.1, l1=0.2, sharpness=0.9, transfer_accuracy=0.5, diversity=0.8, train_seconds=10.0):
    return {"loss": loss, "seed": seed, "mse": mse, "l1": l1, "sharpness": sharpness,
            "transfer_accuracy": transfer_accuracy, "diversity": diversity, "train_seconds": train_seconds}


def table(*rows):
    return pd.DataFrame(list(rows))


# ---------------------------------------------------------------- checks and settings

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
    assert list(rows) == ["ground truth", "L1", "L2"]
    assert rows["ground truth"].shape == (4, 1, 28, 28) and rows["ground truth"].unique().tolist() == [3.0]
    assert rows["L2"].unique().tolist() == [pytest.approx(3.2)]


def test_mean_histories_average_each_epoch_over_seeds():
    h0 = pd.DataFrame({"epoch": [1, 2], "mse": [0.4, 0.2]})
    h1 = pd.DataFrame({"epoch": [1, 2], "mse": [0.2, 0.1]})
    runs = [fake_run("l2", 0, h0), fake_run("l2", 1, h1), fake_run("l1", 0, h1)]
    means = loss_study.mean_histories(runs)
    assert list(means) == ["L2", "L1"]  # the report's names: the figure's legend prints them
    assert means["L2"]["mse"].tolist() == pytest.approx([0.3, 0.15])
    assert means["L2"]["epoch"].tolist() == [1, 2] and means["L1"]["mse"].tolist() == pytest.approx([0.2, 0.1])


def test_measure_runs_take_each_runs_evaluation_with_its_own_seeds_judge(monkeypatch):
    calls = []

    def fake_evaluate(run, judge, n_generated):  # evaluate's row carries the sharpness itself
        calls.append((run.config.seed, judge, n_generated))
        return {"loss": run.config.loss, "seed": run.config.seed, "mse": 0.5, "sharpness": 0.25 + run.config.seed}

    monkeypatch.setattr(loss_study, "cached_evaluate", fake_evaluate)
    df = loss_study.measure_runs([fake_run("l1", 0), fake_run("l1", 1)], {0: "judge0", 1: "judge1"}, 100)
    assert calls == [(0, "judge0", 100), (1, "judge1", 100)]
    assert df.to_dict("records") == [
        {"loss": "l1", "seed": 0, "mse": 0.5, "sharpness": 0.25, "degenerate": False},
        {"loss": "l1", "seed": 1, "mse": 0.5, "sharpness": 1.25, "degenerate": False}]


# ---------------------------------------------------------------- table and captions

def test_measure_table_with_one_seed_prints_the_registrys_formats_and_the_report_names():
    t = loss_study.measure_table(table(row("l2", mse=0.219735, sharpness=0.0959081), row("l1+l2")))
    assert t.index.name == "loss" and list(t.index) == ["L2", "L1+L2"]
    assert list(t.columns) == ["MSE", "L1", "sharpness", "class transfer (%)", "diversity"]
    assert t.loc["L2"].tolist() == ["0.2197", "0.2000", "0.0959", "50.0", "0.80"]  # diversity as every table prints it


def test_measure_table_with_seeds_shows_mean_and_sample_std():
    t = loss_study.measure_table(table(row("l1", 0, mse=0.1), row("l1", 1, mse=0.2)))
    assert t.at["L1", "MSE"] == "0.1500 ± 0.0707" and t.at["L1", "L1"] == "0.2000 ± 0.0000"


def _with_a_collapse():
    runs = [row(l, s, mse=0.010 + 0.001 * s) for l in ("l1", "l2", "l1+l2") for s in range(3)]
    runs[2] = row("l1", 2, mse=0.07, transfer_accuracy=0.56)  # L1, seed 2: seven times the others
    measures = table(*runs)
    return measures.assign(degenerate=loss_study.degenerate(measures["mse"]), ink=[1.0, 1.0, 0.4] + [1.0] * 6)


def test_a_degenerate_run_is_flagged_kept_out_of_the_means_and_explained():
    measures = _with_a_collapse()
    assert measures["degenerate"].tolist() == [False, False, True] + [False] * 6
    t = loss_study.measure_table(measures)
    assert list(t.index) == ["L1", "L2", "L1+L2", "L1, seed 2 (degenerate)"]
    assert t.at["L1", "MSE"] == "0.0105 ± 0.0007"  # seeds 0 and 1 only
    assert t.loc["L1, seed 2 (degenerate)", "MSE"] == "0.0700"
    assert t.loc["L1, seed 2 (degenerate)", "class transfer (%)"] == "56.0"
    assert "has its own row and is left out of its loss's mean" in words.table_caption(measures)
    said = words.degenerate_sentence(measures)
    assert said.startswith("**A degenerate run.** The L1 run of seed 2 reconstructs with 6.4 times the median "
                           "MSE of all runs, and its reconstructions hold 40% of the real digits' ink.")
    assert "draws background where the digits have strokes" in said and "median" in said
    healthy = measures.assign(ink=1.0)
    assert "a failed optimisation, not a property of the loss" in words.degenerate_sentence(healthy)
    assert words.degenerate_sentence(measures.assign(degenerate=False)) is None
    assert "on the MSE, every loss is within the seed spread of the best (L1's)" in words.wins_sentence(measures)


def test_wins_sentence_names_each_leader_and_a_lead_within_the_spread_is_no_win():
    text = words.wins_sentence(table(
        row("l1", mse=0.1, l1=0.2, sharpness=0.9, transfer_accuracy=0.5, diversity=0.8),
        row("perceptual", mse=0.2, l1=0.3, sharpness=0.7, transfer_accuracy=0.6, diversity=0.7)))
    assert text == ("Of the runs that trained normally ([Table](#tab:losses); one seed: no spread to weigh a lead against): L1 has "
                    "the lowest MSE; L1 has the lowest L1 error; L1 has the sharpness closest to the real digits; "
                    "perceptual has the highest class-transfer accuracy; L1 has the diversity closest to the real "
                    "digits. **Which loss reconstructs best?** MSE is L2's own objective and the L1 error L1's, so "
                    "each favours its own loss: a loss reconstructs best only if it leads on both, beyond the seed "
                    "spread. L1 does ([Table](#tab:losses)).")
    close = words.wins_sentence(table(row("l1", 0, mse=0.10), row("l1", 1, mse=0.20),
                                      row("l2", 0, mse=0.12), row("l2", 1, mse=0.22), row("l1+l2", 0, mse=0.5),
                                      row("l1+l2", 1, mse=0.52)))
    assert "the lowest MSE is L1's, with L2 within the seed spread of it (no win)" in close
    assert "on the L1 error, every loss is within the seed spread of the best" in close
    assert "No loss does here ([Table](#tab:losses)): L1 and L2 share the lowest MSE, within the seed spread" in close
    assert not any(ch.isdigit() for ch in close.replace("L1", "").replace("L2", "").replace("[Table](#tab:losses)", ""))


def _pixel_race(l1_wins_l1=True):
    """Three seeds: L2 has the lowest MSE (its own objective) and L1 the lowest L1 error (its own), each
    beyond the seed spread, or L1+L2 ahead on both."""
    rows = []
    for s in range(3):
        w = 0.0001 * s
        for loss, mse, l1 in (("l1", 0.012, 0.028 if l1_wins_l1 else 0.034), ("l2", 0.010, 0.036),
                              ("l1+l2", 0.011 if l1_wins_l1 else 0.009, 0.031 if l1_wins_l1 else 0.026)):
            rows.append(row(loss, s, mse=mse + w, l1=l1 + w, sharpness={"l1": 0.8, "l2": 0.5, "l1+l2": 0.7}[loss] + w))
    return table(*rows).assign(degenerate=False)


def test_reconstructs_best_is_judged_on_both_pixel_measures_never_on_one_losss_own_objective():
    split = words.best_claim(_pixel_race())
    assert split.holds and split.statement.endswith(
        "No loss does here ([Table](#tab:losses)): the lowest MSE is L2's, and the lowest L1 error is L1's.")
    both = words.best_claim(_pixel_race(l1_wins_l1=False))
    assert both.holds and both.statement.endswith("L1+L2 does ([Table](#tab:losses)).")
    v = words.loss_verdicts(_pixel_race()).set_index("claim")
    assert v.at["l1+l2_best", "value"] == "none" and not v.at["l1+l2_best", "holds"]
    v = words.loss_verdicts(_pixel_race(l1_wins_l1=False)).set_index("claim")
    assert v.at["l1+l2_best", "value"] == "l1+l2" and v.at["l1+l2_best", "holds"]
    assert v.at["l2_blurs", "value"] == "l2" and v.at["l2_blurs", "holds"]


def test_loss_claims_hold_at_every_loss():
    claims = words.loss_claims(_pixel_race())
    assert [c.name for c in claims] == ["losses.lead.mse", "losses.lead.l1", "losses.lead.sharpness",
                                        "losses.lead.transfer_accuracy", "losses.lead.diversity",
                                        "losses.reconstructs_best", "losses.l2_blurs"]
    assert all(c.holds and len(c.rows) == 3 for c in claims)


def test_blur_sentence_confirms_ties_or_contradicts():
    assert words.blur_sentence(table(row("l1", sharpness=0.8), row("l2", sharpness=0.5),
                                     row("perceptual", sharpness=0.9))) == (
        "**Does L2 blur?** Yes, as expected: its reconstructions are the least sharp (sharpness relative to the "
        "real digits, [Table](#tab:losses)), beyond the seed spread of every other loss.")
    assert words.blur_sentence(table(row("l1", sharpness=0.1), row("l2", sharpness=0.09),
                                     row("perceptual", sharpness=0.07))) == (
        "**Does L2 blur?** Not more than the others: perceptual's reconstructions are the least sharp ([Table](#tab:losses)), "
        "beyond the seed spread of L2's.")
    tied = words.blur_sentence(table(row("l1", 0, sharpness=0.5), row("l1", 1, sharpness=0.7),
                                     row("l2", 0, sharpness=0.55), row("l2", 1, sharpness=0.6)))
    assert tied == ("**Does L2 blur?** Not beyond the others: its reconstructions are among the least sharp "
                    "([Table](#tab:losses)), within the seed spread of L1's.")


def test_perceptual_sentence_names_the_network_and_warns_about_the_judge():
    assert (words.perceptual_sentence(table(row("l1"), row("perceptual")), "judge")
            == "The perceptual loss used the judge as its frozen feature network." + CAVEAT)
    assert words.perceptual_sentence(table(row("perceptual")), "vgg16") == (
        "The perceptual loss used the vgg16 as its frozen feature network.")
    assert words.perceptual_sentence(table(row("l1"), row("l2")), "judge") is None


def test_table_caption_names_the_spread_only_with_several_seeds():
    one = words.table_caption(table(row("l1"), row("l2")))
    assert one == ("Measures per loss, mean over 1 seed; sharpness and diversity are relative to real digits "
                   "(1 = like MNIST).")
    three = words.table_caption(table(*[row("l1", s) for s in range(3)]))
    assert three.startswith("Measures per loss, mean ± standard deviation over 3 seeds; sharpness")


def test_curves_caption_says_means_only_with_several_seeds():
    start = ("Training curves of each loss (the course report's Figure 4), per epoch on log scales: the loss it "
             "optimised (left, in its own units), and the MSE (middle) and L1 error (right) of its noise-free "
             "reconstructions, the common yardstick")
    assert words.curves_caption(1) == start + "."
    assert words.curves_caption(3) == start + "; means over 3 seeds."


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
    assert words.runs_sentence(result) == expected


# ---------------------------------------------------------------- which loss wins

def test_ranking_orders_by_low_high_or_closeness_to_one():
    means = loss_study.loss_means(table(row("a", sharpness=0.5, mse=0.3), row("b", sharpness=1.2, mse=0.1),
                                        row("c", sharpness=0.95, mse=0.2)))
    assert loss_study.ranking(means, "mse", "low")[0] == ["b", "c", "a"]
    assert loss_study.ranking(means, "mse", "high")[0] == ["a", "c", "b"]
    order, key = loss_study.ranking(means, "sharpness", "one")
    assert order == ["c", "b", "a"] and key["a"] == pytest.approx(0.5)


# ---------------------------------------------------------------- does L2 blur, the perceptual note

@pytest.mark.parametrize("losses", [["l1", "perceptual"], ["l2"]])
def test_blur_sentence_is_none_without_l2_or_without_a_rival(losses):
    assert words.blur_sentence(table(*[row(l) for l in losses])) is None


