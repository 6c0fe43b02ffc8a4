"""glo_lib.studies.noise_study: the rule that picks a sigma, paired decay effects, and the study's figure data."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from glo_lib import GLOConfig, train
from glo_lib.prose import direction
from glo_lib.reporting.charts import measures_by_sigma
from glo_lib.studies import noise_study as noise
from glo_lib.narrative import noise as words


def _means(mse, acc, sigmas=(0.0, 0.3, 1.0)):
    return pd.DataFrame({"mse": mse, "transfer_accuracy": acc}, index=pd.Index(sigmas, name="noise_std"))


def test_rule_takes_best_accuracy_within_the_mse_tolerance():
    means = _means([0.040, 0.043, 0.050], [0.88, 0.91, 0.95])
    pick = noise.choose_sigma(means, mse_tolerance=0.1)
    assert pick["sigma"] == 0.3 and pick["limit"] == pytest.approx(0.044)
    assert pick["eligible"] == [0.0, 0.3] and pick["excluded"] == [1.0]
    assert noise.choose_sigma(means, mse_tolerance=0.5)["sigma"] == 1.0  # 0.050 <= 0.060
    assert noise.choose_sigma(means, mse_tolerance=0.0)["sigma"] == 0.0  # only the best MSE is left


def test_rule_breaks_ties_by_lower_mse():
    pick = noise.choose_sigma(_means([0.041, 0.040, 0.043], [0.90, 0.90, 0.80]), mse_tolerance=0.1)
    assert pick["sigma"] == 0.3


def _rows(effect, seeds=(0, 1, 2), rng=None):
    rows = []
    for s in (0.0, 1.0):
        for k in seeds:
            base = 0.04 + 0.01 * s + 0.003 * k  # seeds differ more than the decay changes them
            wobble = rng.normal(0, 0.01) if rng is not None else 0.0
            for decay in (0.0, 0.001):
                rows.append({"noise_std": s, "seed": k, "content_decay": decay,
                             "mse": base + (effect if decay else 0.0),
                             "probe_mlp": 0.1 + (wobble if decay else 0.0)})
    return pd.DataFrame(rows)


def test_decay_differences_are_paired_by_seed():
    diff = noise.decay_differences(_rows(0.001), ["mse"], off=0.0, on=0.001)
    assert list(diff.index) == [0.0, 1.0]
    assert np.allclose(diff[("mean", "mse")], 0.001) and np.allclose(diff[("std", "mse")], 0.0)
    assert diff[("clear", "mse")].all()  # every seed moves the same way, beyond the spread


def test_decay_differences_not_clear_for_noise_or_one_seed():
    diff = noise.decay_differences(_rows(0.0, rng=np.random.default_rng(1)), ["probe_mlp"], 0.0, 0.001)
    assert not diff[("clear", "probe_mlp")].all()
    single = noise.decay_differences(_rows(0.001, seeds=(0,)), ["mse"], 0.0, 0.001)
    assert not single[("clear", "mse")].any()


def test_direction_ignores_small_changes():
    assert direction(0.100, 0.101) == 0
    assert direction(0.10, 0.12) == 1 and direction(0.12, 0.10) == -1


@pytest.fixture(scope="module")
def tiny_run(tiny_cfg, tiny_digits):
    return train(tiny_cfg, tiny_digits, progress=False, snapshot_epochs=[1])


def test_fixed_ids_take_the_first_images_of_each_digit(tiny_digits):
    ids = noise.fixed_ids(tiny_digits.labels, per_class=2)
    labels = tiny_digits.labels[ids]
    assert labels.tolist() == [k for k in range(10) for _ in range(2)]
    first_three = torch.nonzero(tiny_digits.labels == 3).flatten()[:2]
    assert ids[6:8].tolist() == first_three.tolist()


def test_transfer_and_evolution_rows(tiny_run, tiny_digits):
    ids = torch.tensor([0, 5])
    rows = noise.transfer_rows({"a": tiny_run}, ids)
    assert list(rows) == ["a, image 1", "a, image 2"]
    assert all(r.shape == (11, 1, 28, 28) for r in rows.values())
    assert torch.equal(rows["a, image 2"][0], tiny_digits.images[5])  # the real image comes first
    evo = noise.evolution_rows(tiny_run, ids, [1, 2])
    assert list(evo) == ["ground truth", "epoch 1", "epoch 2 (final)"]
    assert not torch.equal(evo["epoch 1"], evo["epoch 2 (final)"])


def test_measures_by_sigma_draws_one_panel_per_measure():
    fig = measures_by_sigma(_rows(0.001), ["mse", "probe_mlp"], hue="content_decay", chance=0.1)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_ylabel() for ax in visible] == ["reconstruction MSE", "probe accuracy (MLP)"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["0", "0.001"]
    plt.close(fig)


# --- the notebook's sentences, captions and tables ------------------------------------------------

def _sweep(mse=(0.04, 0.05), acc=(0.5, 0.8), div=(0.9, 0.5), seeds=(0, 1), sigmas=(0.0, 1.0)):
    """Rows at one decay: per sigma the given seed means (each seed +-0.001 around them)."""
    rows = []
    for i, s in enumerate(sigmas):
        for j, k in enumerate(seeds):
            w = 0.001 * (j - (len(seeds) - 1) / 2)
            rows.append({"noise_std": s, "content_decay": 0.001, "seed": k, "mse": mse[i] + w,
                         "transfer_accuracy": acc[i] + w, "diversity": div[i] + w, "probe_mlp": 0.1,
                         "content_norm": 4.0})
    return pd.DataFrame(rows)


def test_small_helpers():
    runs = {(0.0, 0.001, 0): "a", (1.0, 0.001, 0): "b", (1.0, 0.0, 0): "c", (1.0, 0.001, 1): "d"}
    assert noise.runs_at(runs, [0.0, 1.0], 0.001, 0) == {0.0: "a", 1.0: "b"}
    rows = pd.DataFrame({"content_decay": [0.0, 0.001, 0.001], "mse": [1, 2, 3]})
    assert noise.at_decay(rows, 0.001)["mse"].tolist() == [2, 3]


def test_sweep_sentence():
    from glo_lib.core.sweep import SweepResult

    grid = {"noise_std": [0.0, 1.0], "content_decay": [0.0, 0.001], "seed": [0]}
    result = SweepResult(runs=[None] * 4, seconds=2.04, n_cached=3, n_trained=1)
    cfg = GLOConfig(n_samples=60, epochs=2)
    assert words.sweep_sentence(grid, cfg, result, table1_cached=True, seconds=3.26) == (
        "The sweep covers 2 noise levels x 2 decay weights x 1 seed(s) = 4 runs of 60 images and 2 epochs "
        "each. 4 runs in 2.0 s: 1 trained, 3 loaded from the cache; with the Table 1 run and its snapshots "
        "(loaded first) it took 3.3 s in all.")
    assert "(trained first)" in words.sweep_sentence(grid, cfg, result, table1_cached=False, seconds=1.0)


def test_judge_sentence_one_seed_or_a_range():
    one = pd.DataFrame({"seed": [0, 0], "judge_accuracy": [0.941, 0.941]})
    assert words.judge_sentence(one) == (
        "Each seed draws its own training digits and has its own judge, trained on that seed's held-out real "
        "digits only. On held-out digits it never saw, a judge is right about 94% of the time: that is the "
        "ceiling of class-transfer accuracy.")
    many = pd.DataFrame({"seed": [0, 1, 2, 2], "judge_accuracy": [0.95, 0.93, 0.97, 0.97]})
    assert "a judge is right about 93% to 97% of the time" in words.judge_sentence(many)


def test_reconstruction_ids_and_caption(tiny_digits):
    ids = noise.reconstruction_ids(tiny_digits.labels, shown=(2, 7), per_digit=2)
    assert tiny_digits.labels[ids].tolist() == [2, 2, 7, 7]
    assert ids[:2].tolist() == torch.nonzero(tiny_digits.labels == 2).flatten()[:2].tolist()
    assert words.reconstruction_caption([0.0, 0.3, 1.0], shown=(2, 7)) == (
        "Real training images of the digits 2, 7 (top row) and their noise-free reconstructions by models "
        "trained with content noise $\\sigma$ = 0, 0.3, 1, the Table 1 settings otherwise. Where the noise is "
        "too high, the images of one digit come out alike.")


def test_effect_sentence_says_each_trend_in_words():
    assert words.effect_sentence(_sweep(mse=(0.04, 0.05), div=(0.9, 0.5), acc=(0.5, 0.8))) == (
        "From $\\sigma$ = 0 to $\\sigma$ = 1 (the noise study's table): More noise costs reconstruction quality, "
        "since the content code can say less about each image. Too much noise therefore makes the digits of a "
        "class look alike: the content code no longer tells them apart. More noise gives the class code more "
        "control over the class: fewer of the transferred digits are read as another digit.")
    # 4% less diversity is beyond prose.SAME_REL_TOL but within DIVERSITY_REL_TOL: no collapse
    flat = words.effect_sentence(_sweep(mse=(0.04, 0.0405), div=(0.9, 0.864), acc=(0.8, 0.5)))
    assert "The noise hardly costs reconstruction quality here." in flat
    assert "this run shows no collapse" in flat and "gave the class code less control" in flat
    assert not any(ch.isdigit() for ch in flat.split("):")[1])  # the numbers are the table's


def test_transfer_sentence_each_trend():
    rows = _sweep(acc=(0.5, 0.9, 0.8), sigmas=(0.0, 0.3, 1.0), mse=(1, 1, 1), div=(1, 1, 1))
    assert words.transfer_sentence(rows) == (
        "The judge recognises the intended class in 50.0% of all content x class combinations at "
        "$\\sigma$ = 0 and in 80.0% at $\\sigma$ = 1 (means over seeds; the most is 90.0% at $\\sigma$ = 0.3). "
        "More noise gives the class code more control over the class: fewer of the transferred digits "
        "are read as another digit.")
    assert words.transfer_sentence(_sweep(acc=(0.8, 0.81))).endswith(
        "The noise hardly changes how well the class code controls the class here.")
    assert words.transfer_sentence(_sweep(acc=(0.8, 0.5))).endswith(
        "Contrary to the expectation, more noise gave the class code less control.")


def _history(loss, recon, mse=(0.3, 0.2)):
    return pd.DataFrame({"epoch": [1, 2], "loss": [2.0, loss], "reconstruction_loss": [2.0, recon], "mse": list(mse)})


def test_mean_histories_average_over_seeds():
    from types import SimpleNamespace as Fake

    runs = {(0.3, 0.001, 0): Fake(history=_history(1.0, 0.9, mse=(0.4, 0.2))),
            (0.3, 0.001, 1): Fake(history=_history(3.0, 0.9, mse=(0.2, 0.1)))}
    hist = noise.mean_histories(runs, [0.3], 0.001, [0, 1])
    assert list(hist) == ["σ = 0.3"]
    assert hist["σ = 0.3"]["epoch"].tolist() == [1, 2]
    assert np.allclose(hist["σ = 0.3"]["loss"], [2.0, 2.0]) and np.allclose(hist["σ = 0.3"]["mse"], [0.3, 0.15])


def test_reconstruction_rows_put_the_truth_first(tiny_run, tiny_digits):
    ids = torch.tensor([0, 3])
    rows = noise.reconstruction_rows(tiny_digits.images[ids], {0.3: tiny_run}, ids)
    assert list(rows) == ["ground truth", "σ = 0.3"]
    assert torch.equal(rows["σ = 0.3"], tiny_run.reconstructions(ids))


def test_transfer_sources_and_caption(tiny_digits):
    src = noise.transfer_sources(tiny_digits.labels)
    assert tiny_digits.labels[src].tolist() == noise.TRANSFER_DIGITS == [3, 5, 9]
    assert words.transfer_caption(4) == (
        "Class transfer: the content codes of three training images (a 3, a 5 and a 9, left column) drawn "
        "with each class code 0 to 9, for each $\\sigma$ (seed 4).")


def test_decay_table_and_caption():
    rows = _rows(0.001).assign(transfer_accuracy=lambda d: d["mse"])
    diff = noise.decay_differences(rows, ["mse", "transfer_accuracy"], off=0.0, on=0.001)
    table = noise.decay_table(diff, ["mse", "transfer_accuracy"])
    assert table.index.name == "$\\sigma$" and list(table.columns) == ["MSE", "class transfer (points)"]
    assert table["class transfer (points)"].tolist() == ["+0.1 ± 0.0", "+0.1 ± 0.0"]  # shares in points
    assert table["MSE"].tolist() == ["+0.0010 ± 0.0000", "+0.0010 ± 0.0000"]
    one_seed = noise.decay_table(noise.decay_differences(_rows(-0.002, seeds=(0,)), ["mse"], 0.0, 0.001), ["mse"])
    assert one_seed["MSE"].tolist() == ["\u22120.0020", "\u22120.0020"]  # no std with one seed; a true minus
    assert words.decay_table_caption(0.0, 0.001) == (
        "Effect of the content decay: each measure with $\\lambda$ = 0.001 minus the same measure with "
        "$\\lambda$ = 0, same $\\sigma$ and seed (mean ± std over seeds).")


def test_decay_effects():
    rows = _rows(0.001)
    diff = noise.decay_differences(rows, ["mse"], 0.0, 0.001)
    effects = noise.decay_effects(diff, rows[rows.content_decay == 0.0], ["mse"])
    e = effects.loc["mse"]
    assert effects.at["mse", "clear"] == 2 and effects.at["mse", "n"] == 2
    assert np.isclose(e["spread"], 0.01) and np.isclose(e["ratio"], 0.1) and np.isclose(e["noise_change"], 0.01)


def _effects(norm=(-0.5, 3), mse=(0.001, 0, 0.01), acc=(0.01, 0, 0.1), div=(-0.01, 0, -0.1), n=3):
    """A decay_effects table: per measure (mean effect, sigma values where clear, sigma's own change)."""
    table = {"content_norm": (*norm, -1.0), "mse": mse, "transfer_accuracy": acc, "diversity": div}
    return pd.DataFrame.from_dict({m: {"mean": a, "clear": c, "n": n, "noise_change": s,
                                       "ratio": abs(a) / abs(s) if s else float("inf")}
                                   for m, (a, c, s) in table.items()}, orient="index")


def test_verdict_when_nothing_is_clear():
    assert words.decay_verdict_sentence(_effects()) == (
        "The decay does what it is built for: it shrinks the content codes. It has no clear effect on "
        "reconstruction or class transfer at most $\\sigma$ values, which agrees with the course report's "
        "impression that it did not help.")
    # clear at only 1 of 3 sigma values (not most), or clear but growing: no shrinking claimed
    assert words.decay_verdict_sentence(_effects(norm=(-0.5, 1))).startswith("The decay does not clearly shrink")
    assert words.decay_verdict_sentence(_effects(norm=(0.5, 3))).startswith(
        "The decay does not clearly shrink the content codes. ")
    # diversity is not weighed: the report's figure does not show it
    assert "no clear effect" in words.decay_verdict_sentence(_effects(div=(-0.02, 3, -0.1)))


def test_verdict_small_effects_in_the_direction_of_noise():
    text = words.decay_verdict_sentence(_effects(mse=(0.001, 2, 0.01), acc=(0.02, 3, 0.1)))
    assert text == (
        "The decay does what it is built for: it shrinks the content codes. At most $\\sigma$ values it "
        "clearly gives higher reconstruction MSE, higher class-transfer accuracy, the directions of more "
        "noise: a smaller content code stands out less from the same noise. These effects amount to at most "
        "20% of what moving $\\sigma$ across its range does (for the class-transfer accuracy), so at this "
        "weight the decay is a small correction next to the noise: the course report's impression that it "
        "did not help is close to what is measured, although its effects are consistent over seeds.")


def test_verdict_large_effects_against_the_noise():
    text = words.decay_verdict_sentence(_effects(acc=(-0.03, 3, 0.1)))
    assert "it clearly gives lower class-transfer accuracy, not all in the direction of more noise. " in text
    assert text.endswith("amount to at most 30% of what moving $\\sigma$ across its range does (for the "
                         "class-transfer accuracy), so at this weight the decay matters on a scale comparable "
                         "to the noise.")


def test_evolution_caption():
    cfg = GLOConfig(epochs=10, noise_std=0.3, content_decay=0.001, seed=2)
    assert words.evolution_caption(cfg, [1, 5]) == (
        "Reconstructions of the same training digits during the Table 1 run ($\\sigma$ = 0.3, decay 0.001, "
        "seed 2) at the end of epoch(s) 1, 5, 10.")


def test_summary_table_is_the_one_table_of_the_sweep():
    table = noise.summary_table(_sweep(mse=(0.04, 0.05), acc=(0.5, 0.8)))
    assert table.index.name == "$\\sigma$" and table.index.tolist() == ["0", "1"]
    assert list(table.columns) == ["MSE", "class transfer (%)", "diversity", "MLP probe (%)", "code norm"]
    assert table.iloc[0, 0] == "0.0400 ± 0.0007" and table.iloc[1, 1] == "80.0 ± 0.1"
    assert words.table_caption(0.001, 3).startswith("The noise sweep (Table 1 settings, content decay 0.001): "
                                                    "mean ± standard deviation over 3 seeds.")


def test_choice_sentence_each_ending():
    rows = _sweep(mse=(0.040, 0.043, 0.050), acc=(0.88, 0.91, 0.95), div=(1, 1, 1), sigmas=(0.0, 0.3, 1.0))
    assert words.choice_sentence(rows, 0.1, table1_sigma=0.3) == (
        "**Rule for choosing $\\sigma$:** among the values whose mean MSE is at most 10% above the lowest "
        "(0.0400, at $\\sigma$ = 0), the one with the highest class-transfer accuracy. Eligible: $\\sigma$ = 0, "
        "0.3; excluded for their MSE: $\\sigma$ = 1. The rule picks **$\\sigma$ = 0.3**, with 91.0% class "
        "transfer at an MSE of 0.0430; it is the Table 1 value.")
    everyone = words.choice_sentence(rows, 0.5, table1_sigma=0.3)
    assert "Eligible: $\\sigma$ = 0, 0.3, 1. The rule" in everyone and "excluded" not in everyone
    assert everyone.endswith("**$\\sigma$ = 1**, with 95.0% class transfer at an MSE of 0.0500; the Table 1 "
                             "value $\\sigma$ = 0.3 reaches 91.0% at an MSE of 0.0430.")
    assert words.choice_sentence(rows, 0.1, table1_sigma=0.5).endswith("at an MSE of 0.0430.")


def test_figures_of_the_notebook(tiny_run):
    from glo_lib.reporting import charts, figures

    hist = {"σ = 0": _history(1.0, 0.9), "σ = 1": _history(1.5, 1.2)}
    fig = charts.log_training_curves(hist)
    assert [ax.get_title() for ax in fig.axes] == ["training objective", "MSE of noise-free reconstructions"]
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "log"]
    assert fig.axes[0].get_legend().get_title().get_text() == "noise"
    plt.close(fig)
    rows = noise.transfer_rows({"σ = 0.3": tiny_run}, torch.tensor([0]))
    fig = figures.transfer_rows_figure(rows)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["real"] + [str(k) for k in range(10)]
    assert fig.axes[0].get_xticks()[:2].tolist() == [15, 45]
    plt.close(fig)
