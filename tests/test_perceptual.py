"""The perceptual loss, its frozen feature networks, the sharpness measure and notebook 03."""
import re

import nbformat
import papermill

from glo_lib import narrative
import pytest
import torch
import torch.nn.functional as F

from conftest import ROOT
from glo_lib import GLOConfig, GLOModel, get_loss, load_digits, train
from glo_lib.core.judge import judge_or_load
from glo_lib.core.perceptual import (VGG16_ENV, VGG16_FILE, PerceptualLoss, feature_net, judge_features,
                                vgg16_features, vgg16_weights_path)
from glo_lib.measures.sharpness import laplacian_variance, relative_sharpness
from glo_lib.results import load_table
from glo_lib.studies import loss_study

NOTEBOOK = ROOT / "notebooks" / "03_loss_comparison.ipynb"


@pytest.fixture(scope="module")
def perc_cfg():
    # the smoke notebooks' data and one-epoch judge: trained once per session, shared with them
    return GLOConfig().smoke().replace(loss="perceptual", perceptual_judge_epochs=1)


@pytest.fixture(scope="module")
def digits(perc_cfg):
    return load_digits(perc_cfg)


@pytest.fixture(scope="module")
def features(perc_cfg, digits):
    return feature_net(perc_cfg, digits)


@pytest.mark.parametrize("name", ["l1", "l2", "l1+l2", "perceptual"])
def test_every_loss_is_zero_on_identical_images_and_symmetric(name, features, digits):
    loss = get_loss(name, features if name == "perceptual" else None)
    x, y = digits.images[:8], digits.images[8:16]
    assert loss(x, x.clone()).item() == pytest.approx(0.0, abs=1e-7)
    assert loss(x, y).item() > 0
    assert loss(x, y).item() == pytest.approx(loss(y, x).item(), rel=1e-5)


def test_perceptual_is_pixel_l1_plus_weighted_feature_distances(features, digits):
    x, y = digits.images[:8], digits.images[8:16]
    expected = F.l1_loss(x, y) + sum(w * F.l1_loss(a, b) for w, a, b in zip(features.weights, features(x), features(y)))
    assert get_loss("perceptual", features)(x, y).item() == pytest.approx(expected.item(), rel=1e-5)
    # the digits differ more than a digit and its slightly blurred self
    blurred = F.avg_pool2d(x, 3, stride=1, padding=1)
    assert get_loss("perceptual", features)(x, blurred) < get_loss("perceptual", features)(x, y)


def test_judge_features_equal_the_judges_own_layers(perc_cfg, digits):
    net = judge_or_load(digits, epochs=perc_cfg.perceptual_judge_epochs).net
    x = digits.images[:16]
    ours = judge_features(net)(x)
    assert [tuple(f.shape[1:]) for f in ours] == [(16, 14, 14), (32, 7, 7), (64,)]
    theirs = [net.conv[:4](x), net.conv(x), net.features(x)]
    for a, b in zip(ours, theirs):
        assert torch.allclose(a, b, atol=1e-5)


def test_depth_weights_put_every_depth_in_pixel_units(features, digits):
    real = digits.heldout_images[:1000]
    pixel = real.abs().mean().item()
    for w, f in zip(features.weights, features(real)):
        assert w * f.abs().mean().item() == pytest.approx(pixel, rel=1e-4)


def test_gradients_reach_the_generator_but_not_the_frozen_network(features, perc_cfg, digits):
    torch.manual_seed(0)
    model = GLOModel(len(digits.labels), 10, perc_cfg)
    loss_fn = get_loss("perceptual", features)
    loss_fn.train()  # even when asked, the frozen network stays in eval mode (batch norm untouched)
    assert not features.training and not any(p.requires_grad for p in features.parameters())
    ids = torch.arange(8)
    recon, _ = model(ids, digits.labels[ids])
    loss_fn(recon, digits.images[ids]).backward()
    grads = [p.grad for p in model.generator.parameters()]
    assert all(g is not None for g in grads) and sum(g.abs().sum() for g in grads) > 0
    assert model.content_codes.weight.grad[ids].abs().sum() > 0
    assert all(p.grad is None for p in features.parameters())


def test_target_features_cache_gives_the_same_loss_and_gradients(features, digits):
    x0, y = digits.images[:8].clamp(0.1, 0.9), digits.images[8:16]
    cached, uncached = PerceptualLoss(features), PerceptualLoss(features, cache_mb=0)
    for _ in range(2):  # the second call reads the targets' features from the cache
        xs = [x0.clone().requires_grad_(True) for _ in range(2)]
        values = [cached(xs[0], y), uncached(xs[1], y)]
        for v, x in zip(values, xs):
            v.backward()
        assert values[0].item() == pytest.approx(values[1].item(), rel=1e-6)
        assert torch.allclose(xs[0].grad, xs[1].grad, atol=1e-7)
    assert len(cached._targets.rows) == 8 and len(uncached._targets.rows) == 0


def test_training_with_perceptual_leaves_the_judge_unchanged_and_is_reproducible(perc_cfg, digits):
    judge = judge_or_load(digits, epochs=perc_cfg.perceptual_judge_epochs)
    before = {k: v.clone() for k, v in judge.net.state_dict().items()}
    first, second = train(perc_cfg, digits, progress=False), train(perc_cfg, digits, progress=False)
    assert first.history["reconstruction_loss"].notna().all()
    assert first.history[["loss", "mse", "l1"]].equals(second.history[["loss", "mse", "l1"]])
    after = judge_or_load(digits, epochs=perc_cfg.perceptual_judge_epochs).net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_config_knows_the_perceptual_loss_and_its_networks():
    assert GLOConfig(loss="perceptual").perceptual_net == "judge"
    with pytest.raises(ValueError, match="perceptual_net must be one of judge, vgg16"):
        GLOConfig(perceptual_net="alexnet")
    with pytest.raises(ValueError, match="perceptual_judge_epochs must be an integer >= 1"):
        GLOConfig(perceptual_judge_epochs=0)
    with pytest.raises(ValueError, match="needs a feature network"):
        get_loss("perceptual")


def test_missing_vgg16_weights_fail_before_training_naming_the_file(monkeypatch, tmp_path, perc_cfg, digits):
    monkeypatch.delenv(VGG16_ENV, raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # an empty hub: no weights anywhere
    cfg = perc_cfg.replace(perceptual_net="vgg16")
    expected = re.escape(VGG16_FILE) + ".*" + re.escape(str(tmp_path / "torch" / "hub" / "checkpoints"))
    with pytest.raises(FileNotFoundError, match=expected):
        train(cfg, digits, progress=False)
    monkeypatch.setenv(VGG16_ENV, str(tmp_path / "nowhere.pth"))
    with pytest.raises(FileNotFoundError, match=rf"{VGG16_ENV}.*nowhere\.pth"):
        vgg16_weights_path()


def test_vgg16_from_a_local_file_tiles_grey_and_cuts_at_five_depths(monkeypatch, tmp_path, digits):
    from torchvision.models.vgg import cfgs, make_layers

    torch.manual_seed(0)  # random weights in torchvision's file layout (its features part): the format, not ImageNet
    path = tmp_path / VGG16_FILE
    torch.save({f"features.{k}": v for k, v in make_layers(cfgs["D"]).state_dict().items()}, path)
    monkeypatch.setenv(VGG16_ENV, str(path))
    net = vgg16_features(vgg16_weights_path())
    out = net(digits.images[:2])
    assert [f.shape[1] for f in out] == [64, 128, 256, 512, 512]
    assert not any(p.requires_grad for p in net.parameters())
    loss = PerceptualLoss(net.calibrate(digits.heldout_images[:50]))
    assert loss(digits.images[:2], digits.images[:2]).item() == pytest.approx(0.0, abs=1e-6)
    torch.save({"weight": torch.zeros(3)}, tmp_path / "other.pth")
    with pytest.raises(ValueError, match="not a torchvision VGG16 weights file"):
        vgg16_features(tmp_path / "other.pth")


def test_sharpness_falls_with_blur_and_is_one_for_real_digits(digits):
    real = digits.images
    assert relative_sharpness(real, real) == pytest.approx(1.0)
    blurred = F.avg_pool2d(real, 3, stride=1, padding=1)
    assert relative_sharpness(blurred, real) < 0.5
    assert laplacian_variance(torch.full((2, 1, 28, 28), 0.7)).abs().max() < 1e-10  # flat: no edges


def test_notebook_runs_in_smoke_mode_and_reports_every_loss(tmp_path, monkeypatch):
    monkeypatch.setenv("GLO_BUILD_DIR", str(tmp_path / "build"))  # the kernel saves its table here, not in report/
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"smoke": True}, cwd=str(NOTEBOOK.parent),
                               progress_bar=False, kernel_name="python3")
    outputs = [o for c in nbformat.read(str(out), as_version=4).cells for o in c.get("outputs", [])]
    figures = [o.metadata.get("caption") for o in outputs if "image/png" in o.get("data", {})]
    assert figures == ["The same sixteen training digits (top row) reconstructed under each loss, without content "
                       "noise (seed 0).", narrative.losses.curves_caption(1)]
    texts = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
    measures = load_table("loss_comparison")
    assert sorted(measures["loss"]) == sorted(["l1", "l2", "l1+l2", "perceptual"]) and set(measures["seed"]) == {0}
    table = next(t for t in texts if t.startswith("| loss"))
    assert all(f"| {name} " in table for name in loss_study.LOSS_NAMES.values()) and "sharpness" in table
    assert table.endswith(f"Table: {narrative.losses.table_caption(measures)}\n")
    assert narrative.losses.wins_sentence(measures) in texts and "the lowest MSE" in narrative.losses.wins_sentence(measures)
    assert narrative.losses.blur_sentence(measures) in texts
    assert narrative.losses.perceptual_sentence(measures, "judge") in texts


def test_notebook_rejects_an_unknown_loss(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="losses must be a non-empty list"):
        papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "bad.ipynb"), progress_bar=False,
                                   parameters={"smoke": True, "losses": ["l1", "l3"]}, kernel_name="python3",
                                   cwd=str(NOTEBOOK.parent))
