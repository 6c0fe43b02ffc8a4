"""Measures on cases whose answers are known."""
import numpy as np
import pytest
import torch

from glo_lib import GLOConfig, load_digits, train
from glo_lib.core.judge import judge_or_load, judge_test_set
from glo_lib.measures.evaluate import RUN_MEASURES, EvalRow, evaluate
from glo_lib.measures.metrics import (class_transfer, content_shift, diversity, frechet_distance, judge_agreement,
                                      leakage_probe, mean_pairwise_distance, reconstruction_error,
                                      sample_quality)
from glo_lib.measures.sharpness import relative_sharpness


@pytest.fixture(scope="module")
def digits():
    return load_digits(GLOConfig())


@pytest.fixture(scope="module")
def judge(digits):
    return judge_or_load(digits)


def test_judge_is_accurate_on_unseen_real_digits(judge, digits):
    assert judge.accuracy >= 0.97
    assert judge.n_train + judge.n_test == len(digits.heldout_labels)
    assert not any(p.requires_grad for p in judge.net.parameters())


def test_judge_is_cached(digits, judge):
    again = judge_or_load(digits)
    assert again.cached and again.accuracy == judge.accuracy


def test_transfer_of_real_images_with_their_labels_is_judge_accuracy(judge, digits):
    images, labels = judge_test_set(digits)
    assert judge_agreement(judge, images, labels) == pytest.approx(judge.accuracy, abs=1e-9)


def test_probe_reads_labels_that_codes_encode():
    gen = torch.Generator().manual_seed(0)
    labels = torch.arange(500) % 10
    codes = torch.nn.functional.one_hot(labels, 10).float() * 3 + 0.3 * torch.randn(500, 10, generator=gen)
    leak = leakage_probe(codes, labels)
    assert leak["logreg"] > 0.97 and leak["mlp"] > 0.95
    assert leak["chance"] == pytest.approx(0.1)


def test_probe_on_random_codes_is_near_chance():
    gen = torch.Generator().manual_seed(1)
    labels = torch.arange(500) % 10
    leak = leakage_probe(torch.randn(500, 16, generator=gen), labels)
    assert leak["logreg"] < 0.2 and leak["mlp"] < 0.2
    assert leak["majority"] <= 0.11


def test_diversity_of_identical_images_is_zero_and_of_real_is_one(digits):
    same = digits.images[:1].repeat(20, 1, 1, 1)
    labels = torch.zeros(20, dtype=torch.long)
    assert mean_pairwise_distance(same) == 0.0
    assert diversity(same, labels, digits.images, digits.labels * 0) == 0.0
    assert diversity(digits.images, digits.labels, digits.images, digits.labels) == pytest.approx(1.0)


def test_frechet_distance_of_a_set_with_itself_is_zero():
    gen = torch.Generator().manual_seed(2)
    a = torch.randn(400, 32, generator=gen)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, a + 1.0) == pytest.approx(32.0, rel=1e-6)  # mean shift of 1 in 32 dims
    assert frechet_distance(a, 2 * a) > 10


def test_reconstruction_error_known_values():
    x = torch.zeros(3, 1, 28, 28)
    assert reconstruction_error(x, x) == {"mse": 0.0, "l1": 0.0}
    assert reconstruction_error(x + 0.5, x) == pytest.approx({"mse": 0.25, "l1": 0.5})


def test_class_transfer_and_evaluate_on_a_trained_run(judge, digits):
    cfg = GLOConfig(epochs=3)
    run = train(cfg, digits, progress=False)
    t = class_transfer(run.model, judge)
    assert t["confusion"].shape == (10, 10)
    assert (t["confusion"].sum(axis=1) == len(digits.labels)).all()
    assert t["accuracy"] == pytest.approx(np.trace(t["confusion"]) / t["confusion"].sum())
    row = evaluate(run, judge, n_generated=300)
    recon = run.reconstructions()
    # the row gathers the very measures the functions give on their own
    assert {k: row[k] for k in ("mse", "l1")} == pytest.approx(reconstruction_error(recon, digits.images))
    assert row["transfer_accuracy"] == pytest.approx(t["accuracy"])
    assert row["diversity"] == pytest.approx(diversity(recon, digits.labels, digits.images, digits.labels))
    assert row["judge_accuracy"] == judge.accuracy and row["chance"] == pytest.approx(0.1)
    assert row["probe_majority"] == pytest.approx(0.1, abs=0.02)  # ten balanced classes
    assert row["sample_agreement"] == pytest.approx(
        sample_quality(run.model, judge, judge_test_set(digits)[0], n=300)["agreement"])
    assert row["noise_std"] == cfg.noise_std and row["seed"] == cfg.seed and row["cached"] is False
    assert row["sharpness"] == pytest.approx(relative_sharpness(recon, digits.images))
    assert row["ink"] == pytest.approx(float(recon.mean() / digits.images.mean()))
    # the typed row: exactly its declared fields, every run measure of the registry among them
    assert set(row) == set(EvalRow.__annotations__) and set(RUN_MEASURES) <= set(row)


def test_evaluation_is_remembered_with_the_run_and_dropped_when_it_is_retrained(tmp_path, judge, digits):
    from glo_lib import save_run, train_or_load
    from glo_lib.measures.evaluate import cached_evaluate

    cfg = GLOConfig(epochs=1)
    run = train_or_load(cfg, digits, root=tmp_path, progress=False)
    first = cached_evaluate(run, judge, n_generated=200)
    stored = list((run.folder / "evals").glob("*/config.json"))  # one store entry
    assert len(stored) == 1
    again = cached_evaluate(train_or_load(cfg, digits, root=tmp_path, progress=False), judge, n_generated=200)
    assert again == {**first, "cached": True}
    save_run(train(cfg, digits, progress=False), tmp_path)  # a retrained run replaces the folder
    assert not (run.folder / "evals").exists()


def test_content_shift_measures_from_the_codes_training_started_with(digits):
    still = train(GLOConfig(epochs=1, lr_content=1e-9), digits, progress=False)
    moved = train(GLOConfig(epochs=1, lr_content=0.05), digits, progress=False)
    assert content_shift(still) < 1e-6 < 0.01 < content_shift(moved)


def test_same_config_and_seed_give_identical_measures_twice(judge, digits):
    """Bit-for-bit on one CPU: training, the probes' folds, the samplers and the transfer grid are seeded."""
    cfg = GLOConfig(epochs=2)
    first = evaluate(train(cfg, digits, progress=False), judge, n_generated=200)
    second = evaluate(train(cfg, digits, progress=False), judge, n_generated=200)
    first.pop("train_seconds"), second.pop("train_seconds")
    assert first == second
