"""The trainer's speed levers: bf16 only where the CPU has it, channels-last, fused Adam, the yardstick."""
import pytest
import torch
import torch.nn.functional as F

from glo_lib import GLOConfig, train
from glo_lib.checks import ParameterError
from glo_lib.core import precision
from glo_lib.core.train import YARDSTICK_IMAGES, adam


@pytest.mark.parametrize("flags, capability, expected", [
    ({"avx512f", "avx512_bf16"}, "AVX512", "bf16"),
    ({"avx512f", "amx_bf16"}, "AVX512", "bf16"),
    ({"avx512f"}, "AVX512", "fp32"),  # AVX-512 without bf16 arithmetic: emulated
    ({"avx2", "avx512_bf16"}, "AVX2", "fp32"),  # torch runs AVX2 kernels on it
    (set(), "DEFAULT", "fp32"),
])
def test_auto_precision_follows_what_the_cpu_reports(monkeypatch, flags, capability, expected):
    monkeypatch.setattr(precision, "cpu_flags", lambda: frozenset(flags))
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    assert precision.pick_precision("auto", torch.device("cpu")) == expected
    assert precision.pick_precision("auto", torch.device("cuda")) == "fp32"
    assert precision.pick_precision("fp32", torch.device("cpu")) == "fp32"
    assert precision.pick_precision("bf16", torch.device("cpu")) == "bf16"


def test_precision_is_checked_and_part_of_the_run_key():
    with pytest.raises(ParameterError, match="precision"):
        GLOConfig(precision="fp16")
    fp32, bf16 = GLOConfig(precision="fp32"), GLOConfig(precision="bf16")
    assert fp32.key() != bf16.key()
    # "auto" is the same run as whatever it resolves to on this machine
    auto = GLOConfig()
    assert auto.key() == GLOConfig(precision=auto.resolved_precision()).key()


def test_cpu_flags_are_read():
    flags = precision.cpu_flags()
    assert isinstance(flags, frozenset)


@pytest.mark.parametrize("prec", ["fp32", "bf16"])
def test_both_precisions_train_and_report_what_they_used(tiny_cfg, tiny_digits, prec):
    run = train(tiny_cfg.replace(precision=prec, epochs=3), tiny_digits, progress=False)
    assert run.timings["precision"] == prec
    assert run.history.loss.iloc[-1] < run.history.loss.iloc[0]
    assert all(p.dtype == torch.float32 for p in run.model.parameters())  # fp32 master weights


def test_last_epoch_yardstick_is_every_image_in_fp32(tiny_digits, tiny_cfg):
    run = train(tiny_cfg.replace(precision="bf16"), tiny_digits, progress=False)
    last = run.history.iloc[-1]
    assert last["mse_images"] == len(tiny_digits.labels)
    expected = F.mse_loss(run.reconstructions(), tiny_digits.images).item()
    assert last["mse"] == pytest.approx(expected, rel=1e-5)


def test_yardstick_watches_a_fixed_subset_of_large_sets():
    from glo_lib import load_digits
    cfg = GLOConfig(n_samples=YARDSTICK_IMAGES + 88, epochs=2, batch_size=200, generator="course")
    run = train(cfg, load_digits(cfg), progress=False)
    assert run.history["mse_images"].tolist() == [YARDSTICK_IMAGES, YARDSTICK_IMAGES + 88]


def test_adam_is_fused_where_torch_has_it():
    w = torch.nn.Parameter(torch.zeros(3))
    opt = adam([{"params": [w], "lr": 0.1}])
    assert opt.defaults.get("fused") or opt.defaults.get("foreach")
    w.grad = torch.ones(3)
    opt.step()
    assert torch.allclose(w, torch.full((3,), -0.1))  # Adam's first step moves each weight by lr


def test_judge_reader_is_the_judge_rearranged(tiny_digits):
    from glo_lib.core.judge import judge_or_load, judge_test_set
    judge = judge_or_load(tiny_digits, epochs=1)
    images, labels = judge_test_set(tiny_digits)
    with torch.no_grad():
        plain = judge.net(images).argmax(1)
        plain_features = judge.net.features(images)
    assert (judge.predict(images) == plain).float().mean() >= 0.99  # bf16 may flip a near tie
    rel = (judge.features(images) - plain_features).norm() / plain_features.norm()
    assert rel < 0.02
    assert judge.predict(images[:0]).numel() == 0


def test_generation_follows_the_run_precision_and_reconstruction_is_fp32(tiny_cfg):
    from glo_lib.core.model import GLOModel
    model = GLOModel(40, 10, tiny_cfg.replace(precision="bf16")).eval()
    ids = torch.arange(40)
    fp32 = model.generate_from_ids(ids % 10, model.content.detach(), precision="fp32")
    bf16 = model.generate_from_ids(ids % 10, model.content.detach())
    assert bf16.dtype == torch.float32 and not torch.equal(bf16, fp32)
    assert (bf16 - fp32).abs().max() < 0.02
    assert torch.equal(model.reconstruct(ids, ids % 10), fp32)
