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


# --- the notebook's sentences, captions, tables and checked claims ---------------------------------

def _sweep(mse=(0.04, 0.05), acc=(0.5, 0.8), div=(0.9, 0.5), seeds=(0, 1), sigmas=(0.0, 1.0), agree=None):
    """Rows at one decay: per sigma the given seed means (each seed +-0.001 around them)."""
    agree = agree or acc
    rows = []
    for i, s in enumerate(sigmas):
        for j, k in enumerate(seeds):
            w = 0.001 * (j - (len(seeds) - 1) / 2)
            rows.append({"noise_std": s, "content_decay": 0.001, "seed": k, "mse": mse[i] + w,
                         "transfer_accuracy": acc[i] + w, "diversity": div[i] + w, "probe_mlp": 0.1,
                         "sample_agreement": agree[i] + w, "content_norm": 4.0})
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


def _judges(*accs):
    from types import SimpleNamespace as Fake

    return {s: Fake(accuracy=a, n_train=3795, n_test=949, epochs=10) for s, a in enumerate(accs)}


def test_judges_table_and_the_methods_paragraph_define_every_measure_once():
    from glo_lib.measures.registry import measure

    table = noise.judges_table(_judges(0.984, 0.979))
    assert table.to_dict("records")[1] == {"seed": 1, "training digits": 3795, "test digits": 949, "epochs": 10,
                                           "accuracy (%)": "97.9"}
    said = words.methods_paragraph(table)
    assert said.startswith("**The judge.** Every measure that reads a digit uses a *judge*: a small CNN")
    assert "trained with Adam for 10 epochs" in said and "([Table](#tab:judges))" in said and "Heusel et al. 2017" in said
    for name in words.DEFINED:  # each measure once, in the registry's words
        assert said.count(f"*{measure(name).words}*: ") == 1, name
    assert "the mean of $(x - y)^2$" in said and "(x - y)^2;" not in said  # formulas typeset
    assert words.judges_caption(2).startswith("The judges, one per seed (2 seeds)")


def test_seed_judges_are_the_ones_evaluate_runs_uses(tiny_run, monkeypatch):
    calls = []
    monkeypatch.setattr(noise, "judge_or_load", lambda digits, epochs: calls.append(epochs) or f"judge-{epochs}")
    assert noise.seed_judges([tiny_run, tiny_run], judge_epochs=3) == {tiny_run.config.seed: "judge-3"}


def test_reconstruction_ids_and_the_caption_says_what_is_drawn(tiny_digits):
    ids = noise.reconstruction_ids(tiny_digits.labels, shown=(2, 7), per_digit=2)
    assert tiny_digits.labels[ids].tolist() == [2, 2, 7, 7]
    assert ids[:2].tolist() == torch.nonzero(tiny_digits.labels == 2).flatten()[:2].tolist()
    said = words.reconstruction_caption([0.0, 0.3, 1.0], seed=2, shown=(2, 7), per_digit=2)
    assert said == (
        "The first 2 real training images of each of the digits 2 and 7 (top row) and their noise-free "
        "reconstructions by the models trained with content noise $\\sigma$ = 0, 0.3, 1, the Table 1 settings "
        "otherwise (seed 2). [Table](#tab:noise-sweep) gives the within-class diversity of every run; for classes drawn as one "
        "digit, see the regime in which the content codes learn ([Figure](#fig:learning-transfer)).")
    assert "alike" not in said  # the caption claims nothing the figure does not show


def test_sigma_steps_count_a_step_only_beyond_the_seed_spread():
    rows = _sweep(mse=(0.040, 0.0402, 0.050, 0.045), sigmas=(0.0, 0.1, 0.3, 1.0), acc=(0.5,) * 4, div=(1,) * 4)
    steps = noise.sigma_steps(rows, "mse")
    assert steps["kind"].tolist() == ["flat", "up", "down"]  # 0.0002 is within the registry's 0.0005
    assert steps[["sigma_from", "sigma_to"]].values.tolist() == [[0.0, 0.1], [0.1, 0.3], [0.3, 1.0]]
    spread = rows.groupby("noise_std")["mse"].std()
    assert steps["spread"].iloc[1] == pytest.approx(max(spread[0.1] + spread[0.3], 0.0005))
    wide = _sweep(mse=(0.040, 0.041), seeds=(0, 1, 2)).assign(mse=lambda d: d["mse"] + [0, 0.004, -0.004] * 2)
    assert noise.sigma_steps(wide, "mse")["kind"].tolist() == ["flat"]  # a 0.001 rise inside a 0.008 spread
    assert noise.step_kind(pd.Series([1.0, -1.0, 0.1]), pd.Series([0.5, 0.5, 0.5])).tolist() == ["up", "down", "flat"]


def test_shape_phrases_name_every_step_never_the_ends_alone():
    def phrase(mse, sigmas=(0.0, 0.1, 0.3, 1.0)):
        return words.shape_phrase(noise.sigma_steps(_sweep(mse=mse, sigmas=sigmas, acc=(0.5,) * len(sigmas),
                                                           div=(1,) * len(sigmas)), "mse"))

    assert phrase((0.01, 0.02, 0.03, 0.04)) == "rises at every step from $\\sigma$ = 0 to 1"
    assert phrase((0.04, 0.0402, 0.03, 0.02)) == ("stays within the seed spread from $\\sigma$ = 0 to 0.1, then falls "
                                                  "at every step from $\\sigma$ = 0.1 to 1")
    assert phrase((0.01, 0.03, 0.02, 0.01)) == ("rises from $\\sigma$ = 0 to 0.1, then falls at every step from "
                                                "$\\sigma$ = 0.1 to 1 (it peaks at $\\sigma$ = 0.1)")
    assert phrase((0.03, 0.01, 0.0102, 0.03)) == ("falls from $\\sigma$ = 0 to 0.1, then stays within the seed spread "
                                                  "from $\\sigma$ = 0.1 to 0.3, then rises from $\\sigma$ = 0.3 to 1 "
                                                  "(it is lowest at $\\sigma$ = 0.1)")


def test_shape_claims_hold_at_every_step_and_fail_on_a_contradicting_row():
    from glo_lib.claims import ClaimError

    rows = _sweep(mse=(0.01, 0.02, 0.03), acc=(0.5, 0.7, 0.9), div=(0.9, 0.7, 0.6), sigmas=(0.0, 0.3, 1.0))
    steps = {m: noise.sigma_steps(rows, m) for m in words.SHAPED}
    claims = words.shape_claims(steps)
    assert [c.name for c in claims] == [f"noise.shape.{m}" for m in words.SHAPED] and all(c.holds for c in claims)
    assert claims[0].statement == "the reconstruction MSE rises at every step from $\\sigma$ = 0 to 1"
    assert len(claims[0].rows) == 2  # every step is a row it speaks of
    bad = claims[0].rows.assign(change=[0.01, -0.01])  # a table where the second step falls
    with pytest.raises(ClaimError, match="contradicted by 1 of 2 rows"):
        type(claims[0])(claims[0].name, claims[0].statement, claims[0].tables, bad, claims[0].predicate).check()
    said = words.shape_paragraph(claims, words.collapse_claim(rows), steps)
    assert said.startswith("**What more noise does ([Table](#tab:noise-sweep)).** Step by step over the swept $\\sigma$")
    assert "More noise buys class control with reconstruction" in said and "grow more alike" in said
    assert said.endswith("No swept $\\sigma$ collapses a class into one digit: the mean within-class diversity stays "
                         "at or above 0.5 of the real digits' at every $\\sigma$.")
    assert "From $\\sigma$" not in said and "the noise study's table" not in said  # no template or endpoint sentences


def test_collapse_claim_names_the_collapsed_sigmas():
    rows = _sweep(div=(0.9, 0.7, 0.3), sigmas=(0.0, 0.3, 1.0), mse=(1, 1, 1), acc=(1, 1, 1))
    assert words.collapse_claim(rows).statement.endswith("at every $\\sigma$, except at $\\sigma$ = 1.")
    assert words.collapse_claim(rows.assign(diversity=0.2)).statement.startswith("Every swept $\\sigma$ collapses")


def _sigma_means(mse, acc, sigmas=(0.0, 0.3, 1.0), seeds=(0, 1)):
    return noise.sigma_means(_sweep(mse=mse, acc=acc, div=(1,) * len(sigmas), sigmas=sigmas, seeds=seeds), 0.1)


def test_choice_claim_keeps_table1s_sigma_and_says_what_the_rule_would_pick():
    means = _sigma_means((0.040, 0.043, 0.050), (0.88, 0.91, 0.95))
    same = words.choice_claim(means, 0.1, table1_sigma=0.3)
    assert same.holds and same.statement == (
        "**Rule for choosing $\\sigma$.** Among the $\\sigma$ whose mean MSE is at most 10% above the lowest "
        "(0.0400, at $\\sigma$ = 0), take the one with the highest class transfer. Within that limit: "
        "$\\sigma$ = 0, 0.3; above it: $\\sigma$ = 1. The rule picks **$\\sigma$ = 0.3**, Table 1's value (91.0% "
        "class transfer at an MSE of 0.0430), which the rest of the report uses.")
    other = words.choice_claim(_sigma_means((0.040, 0.050, 0.060), (0.88, 0.8805, 0.95)), 0.1, table1_sigma=0.3)
    assert "The rule would pick **$\\sigma$ = 0**" in other.statement
    assert ("The rest of the report keeps Table 1's $\\sigma$ = 0.3 (88.0% at an MSE of 0.0500), so that its numbers "
            "compare with the course report's. Next to the rule's pick, its MSE is higher (beyond the seed spread) "
            "and its class transfer within the seed spread of it.") in other.statement
    assert len(other.rows) == 3 and other.holds  # checked at every sigma
    unswept = words.choice_claim(means, 0.1, table1_sigma=0.5)
    assert unswept.statement.endswith("keeps Table 1's $\\sigma$ = 0.5, which this sweep does not hold, so that its "
                                      "numbers compare with the course report's.")


def test_decay_table_carries_the_share_of_sigmas_span_the_verdict_quotes():
    rows = _rows(0.001).assign(transfer_accuracy=lambda d: d["mse"])
    diff = noise.decay_differences(rows, ["mse", "transfer_accuracy"], off=0.0, on=0.001)
    shares = noise.decay_shares(diff, rows[rows.content_decay == 0.0], ["mse", "transfer_accuracy"])
    assert shares["share"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.1])  # 0.001 of sigma's 0.01
    table = noise.decay_table(diff, ["mse", "transfer_accuracy"], shares)
    assert table.index.name == "$\\sigma$"
    assert list(table.columns) == ["MSE", "class transfer (points)", "MSE / span (%)", "class transfer / span (%)"]
    assert table["class transfer (points)"].tolist() == ["+0.1 ± 0.0", "+0.1 ± 0.0"]  # shares in points
    assert table["MSE"].tolist() == ["+0.0010 ± 0.0000", "+0.0010 ± 0.0000"]
    assert table["MSE / span (%)"].tolist() == ["10.0", "10.0"]
    one_seed = noise.decay_table(noise.decay_differences(_rows(-0.002, seeds=(0,)), ["mse"], 0.0, 0.001), ["mse"])
    assert one_seed["MSE"].tolist() == ["\u22120.0020", "\u22120.0020"]  # no std with one seed; a true minus
    assert words.decay_table_caption(0.0, 0.001).startswith(
        "Effect of the content decay: each measure with $\\lambda$ = 0.001 minus the same measure with "
        "$\\lambda$ = 0, same $\\sigma$ and seed (mean ± std over seeds); / span:")


def _shares(norm=(-0.2, -0.3), mse=(0.0004, 0.0019), acc=(0.008, 0.003), clear=(True, True), span=(0.023, 0.117),
            sigmas=(0.0, 1.0)):
    rows = []
    for m, effects, sp in (("content_norm", norm, 0.05), ("mse", mse, span[0]), ("transfer_accuracy", acc, span[1])):
        for s, e, c in zip(sigmas, effects, clear):
            rows.append({"noise_std": s, "measure": m, "effect": e, "clear": c, "span": sp, "share": abs(e) / sp})
    return pd.DataFrame(rows)


def test_decay_claims_hold_over_every_sigma_and_both_outcomes():
    claims = words.decay_claims(_shares(clear=(False, True)))
    assert [c.name for c in claims] == ["noise.decay_shrinks", "noise.decay_mse", "noise.decay_transfer_accuracy",
                                        "noise.decay_size"]
    assert all(c.holds for c in claims)
    said = words.decay_paragraph(claims)
    assert said.startswith("**The decay does what it is built for.** It shrinks the content codes at every "
                           "$\\sigma$ ([Table](#tab:decay): every seed's code norm falls, by more than the spread), except at "
                           "$\\sigma$ = 0. It clearly raises the reconstruction MSE at $\\sigma$ = 1 and has no clear "
                           "effect on it at $\\sigma$ = 0; it clearly raises the class-transfer accuracy at "
                           "$\\sigma$ = 1 and has no clear effect on it at $\\sigma$ = 0.")
    # the largest share over every sigma and both outcomes: the MSE at sigma 1, 0.0019 / 0.023 = 8.3%
    assert ("At every $\\sigma$, on both the MSE and class transfer, its effect is at most 8.3% of what moving "
            "$\\sigma$ across the sweep does ([Table](#tab:decay), the span columns; largest: the reconstruction MSE at "
            "$\\sigma$ = 1): at this weight the decay is a small correction next to the noise") in said
    size = claims[-1]
    assert len(size.rows) == 4 and "at most 3%" not in said  # every sigma x outcome, not a mean over sigma


def test_decay_claims_when_large_or_not_clear():
    big = words.decay_claims(_shares(mse=(0.0004, 0.01)))
    assert big[-1].statement.startswith("Its effect reaches 43.5% of what moving $\\sigma$ across the sweep does")
    assert big[-1].statement.endswith("the decay matters on a scale comparable to the noise.")
    none = words.decay_paragraph(words.decay_claims(_shares(clear=(False, False))))
    assert none.startswith("**Does the decay do what it is built for?** It does not clearly shrink the content codes "
                           "at any $\\sigma$ ([Table](#tab:decay)). Its effect on the reconstruction MSE is clear at no $\\sigma$")
    lowers = words.decay_effect_claim(_shares(acc=(-0.01, 0.02)), "transfer_accuracy").statement
    assert lowers == "it clearly raises the class-transfer accuracy at $\\sigma$ = 1 and lowers it at $\\sigma$ = 0"


def test_noise_verdicts_are_what_the_claims_decided():
    rows = _sweep(mse=(0.01, 0.02, 0.03), acc=(0.5, 0.7, 0.9), div=(0.9, 0.7, 0.6), sigmas=(0.0, 0.3, 1.0),
                  agree=(0.4, 0.7, 0.9))
    steps = {m: noise.sigma_steps(rows, m) for m in words.SHAPED}
    shape, collapse = words.shape_claims(steps), words.collapse_claim(rows)
    choice = words.choice_claim(noise.sigma_means(rows, 0.1), 0.1, 0.3)
    decay = words.decay_claims(_shares(sigmas=(0.0, 0.3)))
    v = words.noise_verdicts(steps, shape, collapse, rows, choice, decay, 0.1, 0.3).set_index("claim")
    assert list(v.index) == ["noise_costs_mse", "noise_gives_control", "noise_makes_alike", "collapse_in_sweep",
                             "low_noise_samples_digits", "sigma_rule", "sigma_rule_tolerance", "decay_shrinks",
                             "decay_small"]
    assert v.loc[["noise_costs_mse", "noise_gives_control", "noise_makes_alike"], "holds"].all()
    assert not v.at["collapse_in_sweep", "holds"] and v.at["collapse_in_sweep", "value"] == pytest.approx(0.6)
    assert not v.at["low_noise_samples_digits", "holds"] and v.at["low_noise_samples_digits", "value"] == pytest.approx(0.4)
    assert v.at["sigma_rule", "value"] == 0.0 and not v.at["sigma_rule", "holds"]  # only sigma 0 is within 10%
    assert v.at["sigma_rule", "sentence"] == choice.statement and v.at["sigma_rule_tolerance", "value"] == 0.1
    assert v.at["decay_shrinks", "holds"] and v.at["decay_small", "holds"] and v.at["decay_small", "value"] == pytest.approx(0.0019 / 0.023)


def test_transfer_sentence_lists_every_sigma():
    rows = _sweep(acc=(0.5, 0.9, 0.8), sigmas=(0.0, 0.3, 1.0), mse=(1, 1, 1), div=(1, 1, 1))
    assert words.transfer_sentence(rows) == ("Class-transfer accuracy per $\\sigma$ (means over seeds): 50.0% at "
                                             "$\\sigma$ = 0, 90.0% at $\\sigma$ = 0.3, 80.0% at $\\sigma$ = 1.")
    src_caption = words.transfer_caption(4)
    assert src_caption == ("Class transfer: the content codes of three training images (a 3, a 5 and a 9, left "
                           "column) drawn with each class code 0 to 9, for each $\\sigma$ (seed 4).")


def test_evolution_caption():
    cfg = GLOConfig(epochs=10, noise_std=0.3, content_decay=0.001, seed=2)
    assert words.evolution_caption(cfg, [1, 5]) == (
        "Reconstructions of the same training digits during the Table 1 run ($\\sigma$ = 0.3, decay 0.001, "
        "seed 2) at the end of epochs 1, 5, 10.")


def test_summary_table_is_the_one_table_of_the_sweep():
    table = noise.summary_table(_sweep(mse=(0.04, 0.05), acc=(0.5, 0.8)))
    assert table.index.name == "$\\sigma$" and table.index.tolist() == ["0", "1"]
    assert list(table.columns) == ["MSE", "class transfer (%)", "diversity", "agreement (%)", "MLP probe (%)",
                                   "code norm"]
    assert table.iloc[0, 0] == "0.0400 ± 0.0007" and table.iloc[1, 1] == "80.0 ± 0.1"
    assert words.table_caption(0.001, 3).startswith("The noise sweep (Table 1 settings, content decay 0.001): "
                                                    "mean ± standard deviation over 3 seeds.")


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


def test_decay_effects():
    rows = _rows(0.001)
    diff = noise.decay_differences(rows, ["mse"], 0.0, 0.001)
    effects = noise.decay_effects(diff, rows[rows.content_decay == 0.0], ["mse"])
    e = effects.loc["mse"]
    assert effects.at["mse", "clear"] == 2 and effects.at["mse", "n"] == 2
    assert np.isclose(e["spread"], 0.01) and np.isclose(e["ratio"], 0.1) and np.isclose(e["noise_change"], 0.01)


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
