"""glo_lib.studies.noise_study: the rule that picks a sigma, paired decay effects, and the study's figure data."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from glo_lib import train
from glo_lib.prose import direction
from glo_lib.reporting.charts import measures_by_sigma
from glo_lib.studies import noise_study as noise


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


@pytest.mark.parametrize("kwargs, message", [
    ({"sigmas": []}, "sigmas must be a non-empty list"),
    ({"sigmas": [0.3, -1]}, "sigmas must be"),
    ({"content_decays": [0.0, 0]}, "content_decays must be .* each value once"),
    ({"seeds": [0.5]}, "seeds must be a non-empty list of integers"),
    ({"judge_epochs": 0}, "judge_epochs must be an integer >= 1"),
    ({"n_generated": 1}, "n_generated must be an integer >= 2"),
    ({"mse_tolerance": -0.1}, "mse_tolerance must be a finite number >= 0"),
    ({"evolution_epochs": [0, 5]}, "evolution_epochs must be"),
])
def test_bad_study_parameters_are_named(kwargs, message):
    args = dict(sigmas=[0.0, 1.0], content_decays=[0.0, 0.001], seeds=[0], judge_epochs=1,
                n_generated=200, mse_tolerance=0.1, evolution_epochs=[1])
    with pytest.raises(ValueError, match=message):
        noise.check_study(**{**args, **kwargs})


def test_grid_keeps_the_figures_decay_and_seed_and_shrinks_for_smoke():
    grid = noise.study_grid([1.0, 0.0, 0.3], [0.0], [1, 2], content_decay=0.001, seed=0)
    assert grid == {"noise_std": [0.0, 0.3, 1.0], "content_decay": [0.0, 0.001], "seed": [0, 1, 2]}
    smoke = noise.study_grid([1.0, 0.0, 0.3], [0.0, 0.001], [1, 2], content_decay=0.001, seed=1, smoke=True)
    assert smoke == {"noise_std": [0.0, 1.0], "content_decay": [0.0, 0.001], "seed": [1]}


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


def test_class_diversity_per_digit(tiny_run):
    div = noise.class_diversity(tiny_run)
    assert list(div.index) == list(range(10)) and (div > 0).all()


def test_measures_by_sigma_draws_one_panel_per_measure():
    fig = measures_by_sigma(_rows(0.001), ["mse", "probe_mlp"], hue="content_decay", chance=0.1)
    visible = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_ylabel() for ax in visible] == ["reconstruction MSE", "probe accuracy (MLP)"]
    plt.close(fig)
