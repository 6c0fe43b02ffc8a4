import torch

from glo_lib import GLOConfig, GLOModel, get_loss
from glo_lib.core.losses import content_penalty


def _model(noise=0.5):
    torch.manual_seed(0)
    return GLOModel(20, 10, GLOConfig(noise_std=noise))


def test_noise_only_in_training_mode():
    m = _model()
    ids, labels = torch.arange(8), torch.arange(8) % 10
    m.eval()
    assert torch.equal(m(ids, labels)[0], m(ids, labels)[0])
    m.train()
    assert not torch.equal(m(ids, labels)[0], m(ids, labels)[0])
    m0 = _model(noise=0.0).train()
    assert torch.equal(m0(ids, labels)[0], m0(ids, labels)[0])


def test_output_range_shape_and_generate():
    m = _model().eval()
    x = m.generate_from_ids(torch.tensor([0, 9]), torch.randn(2, 16) * 10)
    assert x.shape == (2, 1, 28, 28) and x.min() >= 0 and x.max() <= 1
    assert m.content.shape == (20, GLOConfig().content_dim) and m.classes.shape == (10, GLOConfig().class_dim)
    ids = torch.tensor([3, 4])
    assert torch.allclose(m.reconstruct(ids, torch.tensor([1, 2])), m(ids, torch.tensor([1, 2]))[0])


def test_pixel_losses_known_values():
    x, y = torch.zeros(2, 1, 28, 28), torch.full((2, 1, 28, 28), 0.5)
    for name in ("l1", "l2", "l1+l2"):
        assert get_loss(name)(x, x).item() == 0.0
        assert get_loss(name)(x, y).item() == get_loss(name)(y, x).item()
    assert abs(get_loss("l1")(x, y).item() - 0.5) < 1e-7
    assert abs(get_loss("l2")(x, y).item() - 0.25) < 1e-7
    assert abs(get_loss("l1+l2")(x, y).item() - 0.75) < 1e-7


def test_content_penalty_is_mean_squared_norm():
    c = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    assert content_penalty(c).item() == 12.5
