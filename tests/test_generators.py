"""The three generators and the two code initialisations (issue: generators strong enough)."""
import pytest
import torch

from glo_lib import GLOConfig, GLOModel, train
from glo_lib.core.model import GENERATORS, count_parameters


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_every_generator_draws_28x28_images_in_0_1_from_both_codes(name):
    torch.manual_seed(0)
    model = GLOModel(20, 10, GLOConfig(generator=name))
    images, content = model(torch.arange(20), torch.arange(20) % 10)
    assert images.shape == (20, 1, 28, 28) and content.shape == (20, 16)
    assert images.min() >= 0 and images.max() <= 1
    # the class code changes the picture: the same content drawn as two classes differs
    model.eval()
    a = model.generate_from_ids(torch.tensor([1]), model.content[:1])
    b = model.generate_from_ids(torch.tensor([7]), model.content[:1])
    assert (a - b).abs().max() > 1e-3


def test_parameter_counts_are_as_documented():
    def weights(name, class_dim):
        return count_parameters(GLOModel(10, 10, GLOConfig(generator=name, class_dim=class_dim)).generator)

    assert {name: weights(name, 16) for name in GENERATORS} == {"course": 60209, "conv": 151009, "lord": 118657}
    # a longer class code widens the first layer (course, conv) or the AdaIN styles (lord)
    assert weights("conv", 32) - weights("conv", 16) == 16 * 64 * 7 * 7
    assert weights("lord", 32) - weights("lord", 16) == 16 * 2 * (32 + 16)


def test_code_initialisations():
    torch.manual_seed(0)
    normal = GLOModel(4000, 10, GLOConfig(n_samples=4000))
    lord = GLOModel(4000, 10, GLOConfig(n_samples=4000, code_init="lord"))
    c = normal.content.detach()
    assert c.mean().abs() < 0.02 and c.std().item() == pytest.approx(1.0, abs=0.02)
    for table in (lord.content.detach(), lord.classes.detach()):
        assert table.abs().max() <= 0.05 and table.std().item() == pytest.approx(0.1 / 12 ** 0.5, rel=0.05)


def test_bad_choices_are_named():
    with pytest.raises(ValueError, match="generator must be one of course, conv, lord; got 'unet'"):
        GLOConfig(generator="unet")
    with pytest.raises(ValueError, match="code_init must be one of normal, lord; got 'zeros'"):
        GLOConfig(code_init="zeros")


def test_the_default_generator_memorises_better_than_the_course_one(tiny_digits):
    cfg = GLOConfig(n_samples=40, epochs=10, batch_size=8, noise_std=0.0)
    course = train(cfg.replace(generator="course"), tiny_digits, progress=False)
    default = train(cfg.replace(generator=GLOConfig().generator), tiny_digits, progress=False)
    assert GLOConfig().generator != "course"
    assert default.history["mse"].iloc[-1] < 0.8 * course.history["mse"].iloc[-1]
