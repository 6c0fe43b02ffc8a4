"""Samplers, interpolation, class transfer grids and the explorer, on a small real run."""
import struct

import nbformat
import papermill
import pytest
import torch
from matplotlib.figure import Figure

from conftest import ROOT
from glo_lib import train_or_load
from glo_lib.checks import check_list, check_names
from glo_lib.core.judge import judge_or_load, judge_test_set
from glo_lib.measures import interpolation as interp
from glo_lib.measures.sampling import SAMPLERS, fit_gaussian, sample, sample_gaussian
from glo_lib.reporting import explorer
from glo_lib.reporting.figures import by_class
from glo_lib.seeding import seeded_generator
from glo_lib.studies.sampling_study import compare_samplers, display_table, noisy_generations


@pytest.fixture(scope="module")
def run(tiny_cfg, tiny_digits):
    return train_or_load(tiny_cfg, tiny_digits, progress=False)


@pytest.fixture(scope="module")
def judge(tiny_digits):
    return judge_or_load(tiny_digits, epochs=1)


@pytest.mark.parametrize("name", SAMPLERS)
def test_samplers_give_asked_shapes_ranges_and_classes(run, tiny_digits, name):
    images, intended = sample(run.model, 30, name, seed=3, labels=tiny_digits.labels)
    assert images.shape == (30, 1, 28, 28)
    assert images.min() >= 0 and images.max() <= 1
    if name == "random":
        assert intended is None
    else:
        assert intended.shape == (30,)
        assert torch.equal(intended.bincount(minlength=10), torch.full((10,), 3))  # every class equally often


@pytest.mark.parametrize("name", SAMPLERS)
def test_samplers_are_seeded(run, tiny_digits, name):
    a, ca = sample(run.model, 20, name, seed=1, labels=tiny_digits.labels)
    b, cb = sample(run.model, 20, name, seed=1, labels=tiny_digits.labels)
    c, _ = sample(run.model, 20, name, seed=2, labels=tiny_digits.labels)
    assert torch.equal(a, b)
    assert ca is None or torch.equal(ca, cb)
    assert not torch.allclose(a, c)


def test_bad_sampler_arguments_raise_clear_errors(run, tiny_digits):
    with pytest.raises(ValueError, match="sampler must be one of random, gaussian, per_class; got 'gaussain'"):
        sample(run.model, 10, "gaussain")
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        sample(run.model, 0, "gaussian")
    with pytest.raises(ValueError, match="per_class' needs the labels"):
        sample(run.model, 10, "per_class")
    with pytest.raises(ValueError, match="per_class' needs the labels"):
        sample(run.model, 10, "per_class", labels=tiny_digits.labels[:5])
    with pytest.raises(ValueError, match=r"unknown: \['uniform'\]"):
        check_names("samplers", ["random", "uniform"], SAMPLERS)
    with pytest.raises(ValueError, match="non-empty list"):
        check_names("samplers", "random", SAMPLERS)
    with pytest.raises(ValueError, match="twice"):
        check_names("samplers", ["random", "random"], SAMPLERS)


def test_gaussian_fit_reproduces_mean_and_covariance_of_the_codes(run):
    codes = run.model.content.detach()
    mean, cov = fit_gaussian(codes)
    assert torch.allclose(mean, codes.double().mean(0))
    assert torch.allclose(cov, torch.cov(codes.double().T))
    draws = sample_gaussian(mean, cov, 200_000, torch.Generator().manual_seed(0)).double()
    scale = cov.diagonal().sqrt()
    # with 200k draws the standard error of a mean is std / 450: 0.02 std is far outside chance
    assert ((draws.mean(0) - mean).abs() / scale).max() < 0.02
    corr_err = (torch.cov(draws.T) - cov) / torch.outer(scale, scale)
    assert corr_err.abs().max() < 0.03
    # shrinkage changes the covariance, not the mean
    shrunk_mean, shrunk_cov = fit_gaussian(codes[:8], shrink=True)
    assert torch.allclose(shrunk_mean, codes[:8].double().mean(0))
    assert torch.linalg.eigvalsh(shrunk_cov).min() > 0  # 8 codes in 16 dimensions, still positive definite


def test_lerp_hits_both_ends_exactly():
    a, b = torch.randn(16), torch.randn(16)
    path = interp.lerp(a, b, 5)
    assert path.shape == (5, 16)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    assert torch.allclose(path[2], (a + b) / 2)
    stacked = interp.lerp(torch.stack([a, b]), torch.stack([b, a]), 3)
    assert torch.equal(stacked[0], a) and torch.equal(stacked[2], b) and torch.equal(stacked[5], a)
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        interp.lerp(a, b, 1)


def test_interpolation_endpoints_are_the_endpoint_codes_images(run):
    model = run.model.eval()
    content = model.content.detach()
    path = interp.content_interpolation(model, 3, 7, class_id=4, steps=6)
    assert path.shape == (6, 1, 28, 28)
    ends = model.generate(torch.tensor([4, 4]), content[[3, 7]])
    assert torch.allclose(path[0], ends[0], atol=1e-6) and torch.allclose(path[-1], ends[1], atol=1e-6)
    path = interp.class_interpolation(model, content[5], 2, 8, steps=6)
    ends = model.generate(torch.tensor([2, 8]), content[[5, 5]])
    assert torch.allclose(path[0], ends[0], atol=1e-6) and torch.allclose(path[-1], ends[1], atol=1e-6)
    assert not torch.allclose(path[0], path[-1])


def test_transfer_grid_rows_keep_content_and_columns_take_class(run, tiny_digits):
    ids = interp.distinct_digit_ids(tiny_digits.labels, n=8, seed=0)
    assert len(set(tiny_digits.labels[ids].tolist())) == 8  # eight different digits
    grid = interp.transfer_grid(run.model, ids)
    assert grid.shape == (80, 1, 28, 28)
    row, col = 5, 3
    expected = run.model.generate(torch.tensor([col]), run.model.content.detach()[ids[row]][None])
    assert torch.allclose(grid[row * 10 + col], expected[0], atol=1e-6)


def test_path_measures_are_shares(run, judge, tiny_digits):
    content = interp.content_path_agreement(run.model, judge, tiny_digits.labels, n_paths=20, steps=5)
    classes = interp.class_path_calls(run.model, judge, n_paths=20, steps=5)
    assert list(content.t) == [0, 0.25, 0.5, 0.75, 1] and content.agreement.between(0, 1).all()
    parts = classes[["class a", "class b", "another digit"]]
    assert ((parts.sum(axis=1) - 1).abs() < 1e-6).all() and (parts >= 0).all().all()


def test_compare_samplers_table(run, judge, tiny_digits):
    real, real_labels = judge_test_set(tiny_digits)
    table, drawn = compare_samplers(run.model, judge, tiny_digits.labels, real, real_labels, n=100,
                                    samplers=["random", "gaussian"], train_images=tiny_digits.images)
    assert list(table.index) == ["random", "gaussian", "real"]
    assert table.loc["random"].isna()["agreement"] and 0 <= table.loc["gaussian", "agreement"] <= 1
    assert (table.frechet >= 0).all() and (table.diversity > 0).all()
    assert table.loc["real", "images"] == len(tiny_digits.labels)
    assert display_table(table).loc["random vectors (course report)", "judge agreement"] == "n/a"
    assert drawn["random"].intended is None and len(drawn["gaussian"].judged) == 100
    laid_out = by_class(drawn["gaussian"].images, drawn["gaussian"].intended, per_class=2)
    first = drawn["gaussian"].images[(drawn["gaussian"].intended == 7).nonzero()[0, 0]]
    assert torch.equal(laid_out[7], first)  # column 7 of the first row is the first 7 drawn


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_explore_draws_one_row_with_the_judges_calls(run, judge):
    fig = explorer.explore(run, index=2, class_id=6, noise_scale=0.5, n_draws=4, judge=judge)
    assert isinstance(fig, Figure) and len(fig.axes) == 1 + 2 + 4
    assert all("judge:" in ax.get_title() for ax in fig.axes)
    with pytest.raises(ValueError, match="index must be between 0 and 39"):
        explorer.explore(run, index=40, class_id=0)
    with pytest.raises(ValueError, match="class_id must be between 0 and 9"):
        explorer.explore(run, index=0, class_id=10)
    with pytest.raises(ValueError, match="noise_scale must be >= 0"):
        explorer.explore(run, index=0, class_id=1, noise_scale=-1)


def test_noisy_generations_without_noise_are_reconstructions(run, tiny_digits):
    ids = torch.tensor([0, 5, 9])
    same = noisy_generations(run.model, ids, tiny_digits.labels, 0.0)
    assert torch.allclose(same, run.reconstructions(ids), atol=1e-6)
    noisy = noisy_generations(run.model, ids, tiny_digits.labels, 1.0, seed=1)
    assert not torch.allclose(noisy, same)


def test_explorer_panel_updates_and_loads_runs_only_when_picked(run, judge, tiny_cfg, tiny_digits):
    calls = []

    def load_other():
        calls.append(1)
        return train_or_load(tiny_cfg.replace(noise_std=1.0), tiny_digits, progress=False)

    panel = explorer.Explorer({"this run": run, "sigma 1": load_other}, judge=judge, n_draws=3)
    first = panel.image.value
    assert _png_size(first)[0] > 100 and not calls  # drawn at once; the other run not loaded yet
    panel.class_id.value = (panel.class_id.value + 1) % 10
    assert panel.image.value != first
    panel.run_choice.value = "sigma 1"
    panel.noise.value = 0.5
    assert len(calls) == 1 and "sigma1" in panel.status.value
    loaders = explorer.sweep_loaders(tiny_cfg, [0.0, 0.3], tiny_digits, current=run)
    assert list(loaders) == ["sigma = 0.3 (this notebook's run)", "sigma = 0"]
    assert loaders["sigma = 0.3 (this notebook's run)"] is run and callable(loaders["sigma = 0"])


def test_explorer_is_not_shown_in_the_report_build(run, monkeypatch):
    panel = explorer.Explorer({"this run": run})
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    assert explorer.show(panel) is False
    monkeypatch.delenv("GLO_REPORT_BUILD")
    assert explorer.show(panel) is True
    with pytest.raises(ValueError, match="explorer_sigmas must be a list of numbers >= 0"):
        check_list("explorer_sigmas", [0.3, -1], minimum=0.0, allow_empty=True)
    assert check_list("explorer_sigmas", [], minimum=0.0, allow_empty=True) == []


def test_notebook_outside_the_build_shows_the_explorer(tmp_path, monkeypatch):
    """The report build (tests/test_report.py) runs the notebook without the panel; a plain
    papermill run, like a JupyterLab session, gets it."""
    monkeypatch.delenv("GLO_REPORT_BUILD", raising=False)
    out = tmp_path / "04.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "04_random_sampling.ipynb"), str(out),
                               parameters={"smoke": True}, cwd=str(ROOT / "notebooks"),
                               progress_bar=False, kernel_name="python3")
    outputs = [o for c in nbformat.read(str(out), as_version=4).cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 7


def test_sampler_streams_are_not_the_training_stream():
    """A run seeded with s draws its initial codes from manual_seed(s); samplers must not redraw them."""

    training = torch.randn(64, generator=torch.Generator().manual_seed(0))
    first = torch.randn(64, generator=seeded_generator(0, "sample-random"))
    assert not torch.allclose(first, training)
    assert torch.equal(first, torch.randn(64, generator=seeded_generator(0, "sample-random")))
    assert not torch.allclose(first, torch.randn(64, generator=seeded_generator(0, "sample-gaussian")))
    assert not torch.allclose(first, torch.randn(64, generator=seeded_generator(1, "sample-random")))
