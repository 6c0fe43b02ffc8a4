"""Samplers, interpolation, class transfer grids and the explorer, on a small real run."""
import struct

import nbformat
import pandas as pd
import papermill
import pytest
import torch
from matplotlib.figure import Figure

from conftest import ROOT
from glo_lib import GLOConfig, train_or_load
from glo_lib.checks import check_list, check_names
from glo_lib.core.judge import judge_or_load, judge_test_set
from glo_lib.measures import interpolation as interp
from glo_lib.measures.sampling import SAMPLERS, fit_gaussian, sample, sample_gaussian
from glo_lib.reporting import explorer
from glo_lib.reporting.figures import by_class, path_rows_figure, transfer_rows_figure
from glo_lib.seeding import seeded_generator
from glo_lib.studies import sampling_study as study
from glo_lib.narrative import sampling as words
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
    ends = model.generate_from_ids(torch.tensor([4, 4]), content[[3, 7]])
    assert torch.allclose(path[0], ends[0], atol=1e-6) and torch.allclose(path[-1], ends[1], atol=1e-6)
    path = interp.class_interpolation(model, content[5], 2, 8, steps=6)
    ends = model.generate_from_ids(torch.tensor([2, 8]), content[[5, 5]])
    assert torch.allclose(path[0], ends[0], atol=1e-6) and torch.allclose(path[-1], ends[1], atol=1e-6)
    assert not torch.allclose(path[0], path[-1])


def test_transfer_grid_rows_keep_content_and_columns_take_class(run, tiny_digits):
    ids = interp.distinct_digit_ids(tiny_digits.labels, n=8, seed=0)
    assert len(set(tiny_digits.labels[ids].tolist())) == 8  # eight different digits
    grid = interp.transfer_grid(run.model, ids)
    assert grid.shape == (80, 1, 28, 28)
    row, col = 5, 3
    expected = run.model.generate_from_ids(torch.tensor([col]), run.model.content.detach()[ids[row]][None])
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
    shown = display_table(table)
    assert list(shown.index) == ["random vectors", "class + Gaussian", "real training digits"]
    assert shown.loc["random vectors", "agreement"] == "n/a"
    assert list(shown.columns) == ["images", "agreement", "diversity", "Frechet", "top digit (share)"]
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


#: generation runs in the run's precision (bf16 where the CPU computes it natively) and reconstructions
#: in fp32, so the same image agrees to bf16's three significant digits: pixels in 0..1 within 0.01
PRECISION_ATOL = 1e-2


def test_noisy_generations_without_noise_are_reconstructions(run, tiny_digits):
    ids = torch.tensor([0, 5, 9])
    same = noisy_generations(run.model, ids, tiny_digits.labels, 0.0)
    assert torch.allclose(same, run.reconstructions(ids), atol=PRECISION_ATOL)
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
    panel, shown = explorer.Explorer({"this run": run}), []
    monkeypatch.setattr(explorer, "display", shown.append)
    monkeypatch.setenv("GLO_REPORT_BUILD", "1")
    assert explorer.show(panel) is None and shown == []
    monkeypatch.delenv("GLO_REPORT_BUILD")
    assert explorer.show(panel) is None and shown == [panel]  # None: no `Out[n]: True` in JupyterLab
    with pytest.raises(ValueError, match="explorer_sigmas must be a list of numbers >= 0"):
        check_list("explorer_sigmas", [0.3, -1], minimum=0.0, allow_empty=True)
    assert check_list("explorer_sigmas", [], minimum=0.0, allow_empty=True) == []


def test_notebook_outside_the_build_shows_the_explorer(tmp_path, monkeypatch):
    """The report build (tests/test_report.py) runs the notebook without the panel; a plain
    papermill run, like a JupyterLab session, gets it."""
    monkeypatch.delenv("GLO_REPORT_BUILD", raising=False)
    monkeypatch.setenv("GLO_BUILD_DIR", str(tmp_path / "build"))  # the kernel inherits it
    out = tmp_path / "04.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "04_random_sampling.ipynb"), str(out),
                               parameters={"smoke": True}, cwd=str(ROOT / "notebooks"),
                               progress_bar=False, kernel_name="python3")
    outputs = [o for c in nbformat.read(str(out), as_version=4).cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    captions = [o.metadata["caption"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(captions) == 7 and captions[0].startswith("Forty images from each sampler.")
    assert captions[5].startswith("What the judge sees along interpolation paths.")
    text = "\n".join(o.data["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {}))
    for start in ("We use the Table 1 run ($\\sigma = 0.3$, seed 0). Its judge is right about ",
                  "Even the closest sampler is ",
                  "Table: Samplers measured by the judge on 200 generated images each, against ",
                  "The judge sees the intended digit in ", "Random vectors intend no digit. The judge calls ",
                  "Over all 60 training content codes and all ten class codes",
                  "Along content paths the judge keeps seeing the fixed class",
                  "With content noise of standard deviation 0.5, 1 and 2, the judge still sees"):
        assert start in text
    saved = pd.read_csv(tmp_path / "build" / "sampling.csv", index_col="key")
    assert list(saved.index) == ["random", "gaussian", "per_class", "real"]
    assert "sample_agreement" in saved and saved.loc["real", "images"] == 60


def test_sampler_streams_are_not_the_training_stream():
    """A run seeded with s draws its initial codes from manual_seed(s); samplers must not redraw them."""

    training = torch.randn(64, generator=torch.Generator().manual_seed(0))
    first = torch.randn(64, generator=seeded_generator(0, "sample-random"))
    assert not torch.allclose(first, training)
    assert torch.equal(first, torch.randn(64, generator=seeded_generator(0, "sample-random")))
    assert not torch.allclose(first, torch.randn(64, generator=seeded_generator(0, "sample-gaussian")))
    assert not torch.allclose(first, torch.randn(64, generator=seeded_generator(1, "sample-random")))


# --- the study's parameter check, sizes and sentences, on synthetic tables -----------------------


def _table(fd=(450.0, 460.0), agreement=(0.14, 0.105), div=(0.08, 0.07), random=(500.0, 0.1, 0, 0.695)):
    """A compare_samplers-like table: random vectors, the two fitted samplers, the real digits."""
    rand_fd, rand_div, top, share = random
    rows = [("random", "random vectors (course report)", float("nan"), rand_div, rand_fd, top, share),
            ("gaussian", "class code + Gaussian content", agreement[0], div[0], fd[0], 0, 0.78),
            ("per_class", "class code + per-class content", agreement[1], div[1], fd[1], 0, 0.745),
            ("real", "real training digits", 0.933, 1.02, 9.4, 8, 0.15)]
    return pd.DataFrame([{"key": k, "sampler": s, "images": 200, "agreement": a, "diversity": d,
                          "frechet": f, "most_judged": m, "most_judged_share": sh}
                         for k, s, a, d, f, m, sh in rows]).set_index("key")


def test_summary_table_renames_agreement_and_fitted_samplers_skip_random_and_real():
    table = _table()
    assert "sample_agreement" in study.summary_table(table) and "agreement" in table
    assert study.fitted_samplers(table) == ["gaussian", "per_class"]
    assert study.fitted_samplers(table.loc[["random", "real"]]) == []


def test_setup_sentence():
    cfg = GLOConfig(n_samples=60, epochs=2, seed=3)
    assert words.setup_sentence(cfg, 0.9412, 988) == (
        "We use the Table 1 run ($\\sigma = 0.3$, seed 3). Its judge is right about 94% of the time on the 988 "
        "real held-out digits it never saw; those digits are also the real set every sample below is compared with.")


def test_frechet_sentence_compares_the_closest_sampler_with_real_digits():
    said = words.frechet_sentence(_table(fd=(449.9, 450.5)))
    assert said.startswith("Even the closest sampler is 48 times as far from the real held-out digits")
    assert "sharpness is below 1 in the loss comparison" in said


def test_table_and_paths_captions():
    assert words.table_caption(200, 988).startswith(
        "Samplers measured by the judge on 200 generated images each, against 988 real held-out digits.")
    content = pd.DataFrame({"t": [0.0, 1.0], "agreement": [1.0, 1.0], "paths": 38})
    classes = pd.DataFrame({"t": [0.0, 1.0], "paths": 40})
    caption = words.paths_caption(content, classes)
    assert "different digits (38 paths), class code fixed" in caption
    assert "from class a to class b (40 paths), content code fixed." in caption


def test_closeness_phrase_branches():
    assert words.closeness_phrase(pd.Series({"per_class": 12.34})) == (
        "**class code + per-class content** has a Frechet distance of 12.3 to real digits")
    assert words.closeness_phrase(pd.Series({"gaussian": 20.0, "per_class": 10.0})) == (
        "Among the samplers that use learned class codes, **class code + per-class content** is "
        "closest to real digits (Frechet distance 10.0)")
    # within SAME_FRECHET_RATIO (5%) of each other: no winner is named
    assert words.closeness_phrase(pd.Series({"gaussian": 449.9, "per_class": 450.5})) == (
        "The samplers that use learned class codes are about equally close to real digits "
        "(Frechet distances 449.9 and 450.5)")


def test_fitted_sentence_narrowed_and_kept_variety():
    assert words.fitted_sentence(_table(fd=(449.9, 450.5))) == (
        "The samplers that use learned class codes are about equally close to real digits (Frechet "
        "distances 449.9 and 450.5), against 9.4 for the real training digits. The judge sees the "
        "intended digit in 14.0% (class code + Gaussian content) and 10.5% (class code + per-class "
        "content) of the images (real training digits: 93.3%). Relative to real digits of the same "
        "class, the within-class diversity of their digits is 0.08 and 0.07, so the generator "
        "narrows the variety of each digit.")
    kept = words.fitted_sentence(_table(div=(0.9, 0.7)))
    assert kept.endswith("the within-class diversity of their digits is 0.90 and 0.70, so most of the "
                         "variety of each digit is kept.")


def test_random_sentence_branches():
    uneven_about = words.random_sentence(_table(fd=(449.9, 450.5), random=(450.3, 0.1, 0, 0.695)))
    assert uneven_about == (
        "Random vectors intend no digit. The judge calls 70% of their images a 0 (an even spread would "
        "give 10%), so random vectors do not reach every digit equally. Their Frechet distance, 450.3, "
        "is about that of the best fitted sampler.")
    even_far_diverse = words.random_sentence(_table(fd=(100.0, 120.0), random=(250.0, 0.95, 3, 0.15)))
    assert even_far_diverse == (
        "Random vectors intend no digit. The judge calls 15% of their images a 3 (an even spread would "
        "give 10%), so they reach the digits roughly evenly. Their Frechet distance, 250.0, is 2.5 times "
        "that of the best fitted sampler; their higher diversity (0.95 against at most 0.08) comes with "
        "images further from real digits.")
    far_not_diverse = words.random_gap_phrase(_table(fd=(100.0, 120.0), random=(250.0, 0.05, 3, 0.15)))
    assert far_not_diverse == " Their Frechet distance, 250.0, is 2.5 times that of the best fitted sampler."
    alone = _table().loc[["random", "real"]]
    assert words.random_gap_phrase(alone) == ""
    assert words.random_sentence(alone).endswith("so random vectors do not reach every digit equally.")


def test_transfer_sentence():
    assert words.transfer_sentence(0.1217, 60) == (
        "Over all 60 training content codes and all ten class codes, the judge recognises the class "
        "code's digit in about 12% of the 600 transferred images (chance: 10%).")


def _paths(agreement, class_a, class_b):
    t = [i / (len(agreement) - 1) for i in range(len(agreement))]
    content = pd.DataFrame({"t": t, "agreement": agreement, "paths": 38})
    another = [1 - a - b for a, b in zip(class_a, class_b)]
    classes = pd.DataFrame({"t": t, "class a": class_a, "class b": class_b, "another digit": another, "paths": 40})
    return content, classes


@pytest.mark.parametrize("agreement, verdict", [
    ([0.08, 0.1, 0.11], "so this model's class code does not decide the digit even at the ends of the paths. "),
    ([0.9, 0.85, 0.95], "so moving through content space changes the style but hardly the digit. "),
    ([0.9, 0.6, 0.95], "so the digit is lost somewhere along the path: content codes carry part of the class. "),
])
def test_content_path_verdict_branches(agreement, verdict):
    assert words.content_path_verdict(pd.Series(agreement)) == verdict


def test_paths_sentence_with_and_without_a_switch():
    content, classes = _paths([0.08, 0.05, 0.11], [0.1, 0.06, 0.05], [0.05, 0.06, 0.04])
    assert words.paths_sentence(content, classes) == (
        "Along content paths the judge keeps seeing the fixed class in at least 5% of the frames at every "
        "point (the ends: 8% and 11%), so this model's class code does not decide the digit even at the "
        "ends of the paths. Along class paths the judge's call never moves from class a to class b; "
        "midway, 88% of the frames look like neither digit.")
    content, classes = _paths([0.9, 0.85, 0.8, 0.85, 0.95], [0.9, 0.6, 0.3, 0.1, 0.0], [0.0, 0.2, 0.5, 0.8, 0.9])
    sentence = words.paths_sentence(content, classes)
    assert "changes the style but hardly the digit. " in sentence
    # where the curves the figure draws cross: between t = 0.25 (b - a = -0.4) and t = 0.5 (+0.2)
    assert ("the judge's call moves from class a to class b where the two curves cross, at t = 0.42; midway, "
            "20% of the frames") in sentence
    assert study.crossing_t(classes.assign(**{"class b": 1.0})) == 0.0


def test_noise_sentence():
    noise = pd.DataFrame({"noise_scale": [0.0, 0.5, 1.0, 2.0], "agreement": [0.12, 0.13, 0.126, 0.1]})
    assert words.noise_sentence(noise, 1.0312, 0.3) == (
        "The learned content codes vary by 1.03 per dimension (standard deviation). With content noise of "
        "standard deviation 0.5, 1 and 2, the judge still sees the intended digit in 13%, 13%, 10% of the "
        "training images (without noise: 12%; the model was trained with noise $\\sigma = 0.3$).")


def test_figure_rows_for_transfer_paths_and_noise(run, tiny_digits):
    ids = interp.distinct_digit_ids(tiny_digits.labels, n=4, seed=0)
    rows = study.transfer_rows(run.model, tiny_digits, ids)
    first = f"image {int(ids[0])} (a {int(tiny_digits.labels[ids[0]])})"
    assert list(rows)[0] == first and rows[first].shape == (11, 1, 28, 28)
    assert torch.equal(rows[first][0], tiny_digits.images[ids[0]])
    titles = [t.get_text() for t in transfer_rows_figure(rows).axes[0].get_xticklabels()]
    assert titles == ["real"] + [str(k) for k in range(10)]
    paths = study.content_path_rows(run.model, tiny_digits, ids.view(-1, 2))
    a, b = ids[:2].tolist()
    assert list(paths)[0] == f"class {int(tiny_digits.labels[a])}: image {a} to {b}"
    assert next(iter(paths.values())).shape == (11, 1, 28, 28)  # two real ends around nine frames
    titles = [t.get_text() for t in path_rows_figure(paths).axes[0].get_xticklabels()]
    assert titles == ["image a"] + [""] * 9 + ["image b"]
    classes = study.class_path_rows(run.model, tiny_digits.labels, ids[:1])
    label = int(tiny_digits.labels[ids[0]])
    assert list(classes) == [f"image {int(ids[0])}: {label} to {(label + 5) % 10}"]
    noisy = study.noisy_rows(run.model, tiny_digits, ids, [0.0, 1.0])
    assert list(noisy) == ["real", "noise 0", "noise 1"]
    assert torch.allclose(noisy["noise 0"], run.reconstructions(ids), atol=PRECISION_ATOL)
