"""Stage 2 of LORD: encoders that give class and content codes to any digit, seen or not.

Latent optimisation (stage 1, ``core.train``) gives codes only to the training images. Here a
class encoder and a content encoder amortise it, in two phases, on the stage-1 run's training
digits only:

1. **regression**: the encoders learn to predict the stage-1 codes of a trained run: the class
   encoder the class code of each digit's class, the content encoder each image's own content
   code. The generator is not touched.
2. **fine-tuning**: the encoders and a copy of the generator are trained jointly on stage 1's own
   objective (its reconstruction loss, its content noise sigma, its content penalty), the codes
   now coming from the encoders. The class code gets no noise, so nothing would stop the class
   encoder from carrying the whole image (style included) and the content code from being
   ignored; ``anchor_weight`` keeps the encoded class code on the stage-1 code of the digit's class,
   as LORD's PyTorch code does (weight 10). By default the content codes are not anchored: stage 1
   barely moves them from their random start, and an image cannot tell its random code. LORD
   anchors them too (also weight 10): ``content_anchor_weight`` offers that choice.

Every training digit is shifted at random by up to ``shift_px`` pixels whenever the class encoder
learns (a shifted 3 is still a 3) and throughout fine-tuning (where the target is the shifted digit
itself): with 256 digits this is what lets the encoders work on digits they never saw.

The result, an ``Amortized`` model, encodes any digit (``encode``), reconstructs it and draws it as
any class (``transfer``). Trained encoders are store entries (``glo_lib.store``), as runs are, in
``<cache>/encoders/<stage-1 run name>-enc<settings key>/``, and reused only when the stage-1 run,
its data, the settings and the library version all match.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .. import store
from ..checks import check_int, check_number
from ..paths import cache_dir
from ..seeding import set_seed
from ..version import __version__
from .config import Settings
from .data import class_names_of
from .losses import content_penalty, make_loss
from .train import Run

#: images per forward pass when encoding or generating without gradients (bounds memory)
EVAL_BATCH = 512

#: the history redraws every training digit for its MSE at every fine-tuning epoch, but only every
#: MSE_EVERY-th regression epoch (and the first and last): the generator costs six encoders
MSE_EVERY = 5

#: settings added after encoders were first cached, with the value those encoders were trained at
ADDED_LATER = {"content_anchor_weight": 0.0}


@dataclass(frozen=True)
class EncoderSettings(Settings):
    """Every setting of the second stage (the stage-1 run supplies the rest: loss, sigma, decay)."""

    regress_epochs: int = 60  # phase 1: passes over the training digits regressing the stage-1 codes
    finetune_epochs: int = 10  # phase 2: passes training encoders and generator jointly on reconstruction
    encoder_batch_size: int = 32  # digits per optimiser step, both phases
    lr_regress: float = 1e-3  # Adam learning rate of the encoders in phase 1
    lr_finetune: float = 3e-4  # Adam learning rate of encoders and generator in phase 2
    encoder_width: int = 32  # channels of an encoder's first convolution (its second has twice as many)
    anchor_weight: float = 10.0  # phase 2: weight of the squared distance of encoded class codes to stage 1's (LORD: 10)
    content_anchor_weight: float = 0.0  # phase 2: weight of the squared distance of encoded content codes to stage 1's (0: off; LORD: 10, model/training.py)
    shift_px: float = 2.0  # random shifts of training digits, in pixels, for the class encoder and in phase 2 (0: none)
    seed: int = 0  # seeds python, numpy and torch (data subset, codes, batch order); part of every run name
    # here: the encoders' initial weights, the batch order and the content noise

    def __post_init__(self) -> None:
        check_int("regress_epochs", self.regress_epochs, 1)
        check_int("finetune_epochs", self.finetune_epochs, 0, note="0 skips the fine-tuning phase")
        check_int("encoder_batch_size", self.encoder_batch_size, 2, note="batch norm of the generator needs 2")
        check_int("encoder_width", self.encoder_width, 1)
        check_int("seed", self.seed, 0)
        for name in ("lr_regress", "lr_finetune"):
            object.__setattr__(self, name, check_number(name, getattr(self, name), inclusive=False))
        for name in ("anchor_weight", "content_anchor_weight"):
            object.__setattr__(self, name, check_number(name, getattr(self, name)))
        object.__setattr__(self, "shift_px", check_number("shift_px", self.shift_px, note="pixels"))

    def smoke(self) -> "EncoderSettings":
        """A version that trains in a second or two (tests, smoke notebooks)."""
        return self.replace(regress_epochs=min(self.regress_epochs, 3), finetune_epochs=min(self.finetune_epochs, 2))

    def identity(self) -> dict:
        """Every setting, less those added later (``ADDED_LATER``) while they hold the value that
        encoders cached before them were trained at: those entries keep their key and stay valid."""
        return {k: v for k, v in self.to_dict().items() if k not in ADDED_LATER or v != ADDED_LATER[k]}

    def key(self) -> str:
        """Stable short hash of every setting (of ``identity``)."""
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:10]


class ConvEncoder(nn.Module):
    """1 x 28 x 28 -> a code: two stride-2 convolutions (28 -> 14 -> 7), a 128-unit layer, the code.

    No batch norm: an encoder gives the same code to an image in a batch or alone.
    """

    def __init__(self, out_dim: int, width: int = 32, hidden: int = 128):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),  # 28 -> 14
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1), nn.LeakyReLU(0.2),  # 14 -> 7
            nn.Flatten(), nn.Linear(2 * width * 7 * 7, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, out_dim),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


Ids = Union[int, Sequence[int], torch.Tensor]


class Amortized(nn.Module):
    """Class encoder, content encoder and generator: codes for any image, without optimisation.

    ``class_table`` holds one class code per digit (the mean encoded class code of the digit's
    training images): ``transfer`` and ``generate`` draw digit k with row k, ``classify`` reads an
    image's digit as the nearest row.
    """

    def __init__(self, class_encoder: nn.Module, content_encoder: nn.Module, generator: nn.Module,
                 class_table: torch.Tensor):
        super().__init__()
        self.class_encoder, self.content_encoder, self.generator = class_encoder, content_encoder, generator
        self.register_buffer("class_table", class_table.detach().clone().float())

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Class and content codes of ``images`` (with gradients: for training)."""
        return self.class_encoder(images), self.content_encoder(images)

    @property
    def device(self) -> torch.device:
        return self.class_table.device

    @property
    def classes(self) -> torch.Tensor:
        """One class code per digit (as ``GLOModel.classes``)."""
        return self.class_table

    @torch.no_grad()
    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(class codes, content codes) of N x 1 x 28 x 28 images in [0, 1], on the CPU."""
        self.eval()
        parts = [self(x.float().to(self.device)) for x in _batches(images)]
        return torch.cat([p[0] for p in parts]).cpu(), torch.cat([p[1] for p in parts]).cpu()

    @torch.no_grad()
    def generate_from_codes(self, class_codes: torch.Tensor, content_codes: torch.Tensor) -> torch.Tensor:
        """Images from raw class and content codes (no noise), on the CPU."""
        self.eval()
        out = [self.generator(c.float().to(self.device), z.float().to(self.device)).cpu()
               for c, z in zip(_batches(class_codes), _batches(content_codes))]
        return torch.cat(out) if out else torch.zeros(0, 1, 28, 28)

    def generate_from_ids(self, class_ids: Ids, content_codes: torch.Tensor) -> torch.Tensor:
        """Images from digits (rows of ``class_table``) and content codes: ``GLOModel.generate``'s contract,
        so the measures of ``glo_lib.measures.metrics`` (class transfer) take this model too."""
        ids = torch.as_tensor(class_ids).long().cpu()
        return self.generate_from_codes(self.class_table.cpu()[ids], torch.as_tensor(content_codes))

    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        """Each image drawn again from its own encoded class and content codes."""
        class_codes, content_codes = self.encode(images)
        return self.generate_from_codes(class_codes, content_codes)

    def transfer(self, images: torch.Tensor, class_ids: Ids) -> torch.Tensor:
        """Each image's content drawn as another digit: ``class_ids`` is one digit for all the images
        or one per image."""
        _, content_codes = self.encode(images)
        ids = torch.as_tensor(class_ids).long()
        ids = ids.expand(len(images)) if ids.dim() == 0 else ids
        if len(ids) != len(images):
            raise ValueError(f"class_ids must be one digit or one per image ({len(images)}), got {len(ids)}")
        if len(ids) and not 0 <= int(ids.min()) <= int(ids.max()) < len(self.class_table):
            raise ValueError(f"class_ids must be between 0 and {len(self.class_table) - 1}")
        return self.generate_from_ids(ids, content_codes)

    def classify(self, images: torch.Tensor) -> torch.Tensor:
        """The digit whose class code is nearest to each image's encoded class code."""
        class_codes, _ = self.encode(images)
        return torch.cdist(class_codes, self.class_table.cpu()).argmin(dim=1)


def _batches(x: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return torch.as_tensor(x).split(EVAL_BATCH)


@dataclass
class EncoderRun:
    """The trained second stage of one stage-1 run, after each phase, with its history."""

    settings: EncoderSettings
    stage1: str  # name of the stage-1 run amortised
    model: Amortized  # after both phases
    regressed: Amortized  # after the regression phase only
    history: pd.DataFrame  # one row per epoch: phase, epoch, loss, code errors, training MSE (see MSE_EVERY), seconds
    timings: dict
    data_fingerprint: str
    version: str = __version__
    cached: bool = False
    folder: Optional[Path] = None

    @property
    def name(self) -> str:
        return encoder_name(self.stage1, self.settings)


def encoder_name(stage1: str, settings: EncoderSettings) -> str:
    """Folder name of the encoders of run ``stage1`` with ``settings``."""
    return f"{stage1}-enc{settings.key()}"


def build_amortized(run: Run, settings: EncoderSettings) -> Amortized:
    """Fresh encoders (their weights drawn from torch's global generator: ``train_encoders`` seeds
    it first) and a copy of the run's generator; the class table is stage 1's."""
    cfg = run.config
    model = Amortized(ConvEncoder(cfg.class_dim, settings.encoder_width),
                      ConvEncoder(cfg.content_dim, settings.encoder_width),
                      copy.deepcopy(run.model.generator), run.model.classes.detach().cpu())
    model.class_names = class_names_of(run.digits)  # what figures call row k of the class table
    return model


def code_errors(model: Amortized, images: torch.Tensor, class_targets: torch.Tensor,
                content_targets: torch.Tensor) -> dict[str, float]:
    """How far encoded codes are from target codes: mean squared error over the targets' variance
    (the share of the codes' variance the encoders miss; 0 = exact, 1 = no better than their mean)."""
    class_codes, content_codes = model.encode(images)
    out = {}
    for name, codes, target in (("class", class_codes, class_targets), ("content", content_codes, content_targets)):
        target = target.detach().cpu().float()
        spread = (target - target.mean(0)).pow(2).mean().clamp_min(1e-12)
        out[f"{name}_code_error"] = ((codes - target).pow(2).mean() / spread).item()
    return out


def class_means(model: Amortized, images: torch.Tensor, labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """The mean encoded class code of each digit's images (a digit without images keeps its row)."""
    class_codes, _ = model.encode(images)
    table = model.class_table.detach().cpu().clone()
    for k in range(n_classes):
        mask = labels.cpu() == k
        if mask.any():
            table[k] = class_codes[mask].mean(0)
    return table


def shift(images: torch.Tensor, max_px: float, gen: torch.Generator) -> torch.Tensor:
    """Each image moved by its own random offset of up to ``max_px`` pixels in x and y (bilinear,
    blank where the image was moved away); ``max_px`` = 0 returns the images as they are."""
    if max_px <= 0:
        return images
    n = len(images)
    offsets = ((torch.rand(n, 2, generator=gen) * 2 - 1) * (max_px / 14)).to(images.device)  # in half-widths
    theta = torch.zeros(n, 2, 3, device=images.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1.0
    theta[:, :, 2] = offsets
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False)


def train_encoders(run: Run, settings: EncoderSettings = EncoderSettings(), progress: bool = False) -> EncoderRun:
    """Both phases on the run's training digits; returns the models after each and the history.

    The stage-1 run is not changed: the generator is copied before it is fine-tuned.
    """
    if run.digits is None:
        raise ValueError("the stage-1 run must carry its digits (train_or_load gives them)")
    cfg, digits, s = run.config, run.digits, settings
    loss_fn = make_loss(cfg, digits)  # before seeding: the perceptual loss may train its judge here
    device = run.model.classes.device
    set_seed(s.seed)  # the encoders' initial weights
    model = build_amortized(run, s).to(device)
    gen = torch.Generator().manual_seed(s.seed)  # batch order, shifts and content noise
    images, labels = digits.images.to(device), digits.labels.to(device)
    class_targets = run.model.classes.detach()[labels].to(device)
    content_targets = run.model.content.detach().to(device)
    rows: list[dict] = []
    bar = tqdm(total=s.regress_epochs + s.finetune_epochs, desc=encoder_name(run.name, s),
               disable=not progress, leave=False)

    def epoch_loop(phase: str, epoch: int, opt: torch.optim.Optimizer, step) -> None:
        t0, total = time.perf_counter(), 0.0
        model.train()  # phase 2: the generator's batch norm uses batch statistics, as in stage 1
        for ids in torch.randperm(len(labels), generator=gen).split(s.encoder_batch_size):
            if phase == "fine-tuning" and len(ids) < 2:
                continue  # batch norm cannot train on one image
            loss = step(ids.to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(ids)
        errors = code_errors(model, images, class_targets, content_targets)
        drawn = phase == "fine-tuning" or epoch == 1 or epoch % MSE_EVERY == 0 or epoch == s.regress_epochs
        mse = F.mse_loss(model.reconstruct(images), images.cpu()).item() if drawn else math.nan
        rows.append({"phase": phase, "epoch": epoch, "loss": total / len(labels), **errors, "mse": mse,
                     "seconds": time.perf_counter() - t0})
        bar.update()

    def regress(ids: torch.Tensor) -> torch.Tensor:  # a shifted digit keeps its class, not its content code
        class_codes = model.class_encoder(shift(images[ids], s.shift_px, gen))
        return F.mse_loss(class_codes, class_targets[ids]) + F.mse_loss(model.content_encoder(images[ids]),
                                                                        content_targets[ids])

    def finetune(ids: torch.Tensor) -> torch.Tensor:
        batch = shift(images[ids], s.shift_px, gen)
        class_codes, content_codes = model(batch)
        noise = torch.randn(content_codes.shape, generator=gen).to(device)
        recon = model.generator(class_codes, content_codes + cfg.noise_std * noise)
        loss = (loss_fn(recon, batch) + cfg.content_decay * content_penalty(content_codes)
                + s.anchor_weight * F.mse_loss(class_codes, class_targets[ids]))
        if s.content_anchor_weight:  # LORD's second anchor; off by default (the term is not even computed)
            # the unshifted digit, as in regression: the stage-1 code describes it, not a shifted copy
            unshifted = content_codes if s.shift_px <= 0 else model.content_encoder(images[ids])
            loss = loss + s.content_anchor_weight * F.mse_loss(unshifted, content_targets[ids])
        return loss

    start = time.perf_counter()
    encoders = [*model.class_encoder.parameters(), *model.content_encoder.parameters()]
    opt = torch.optim.Adam(encoders, lr=s.lr_regress)
    for epoch in range(1, s.regress_epochs + 1):
        epoch_loop("regression", epoch, opt, regress)
    model.class_table = class_means(model, images, labels).to(device)
    regressed = copy.deepcopy(model).eval()
    regress_seconds = time.perf_counter() - start
    opt = torch.optim.Adam(model.parameters(), lr=s.lr_finetune)  # encoders and generator
    for epoch in range(1, s.finetune_epochs + 1):
        epoch_loop("fine-tuning", epoch, opt, finetune)
    bar.close()
    model.class_table = class_means(model, images, labels).to(device)
    seconds = time.perf_counter() - start
    timings = {"train_seconds": seconds, "regress_seconds": regress_seconds,
               "finetune_seconds": seconds - regress_seconds, "device": str(device)}
    return EncoderRun(s, run.name, model.eval(), regressed, pd.DataFrame(rows), timings, run.data_fingerprint)


#: what a differing identity key of stored encoders means
_WHY = {"stage1": "they amortise another stage-1 run", "data_fingerprint": "they amortise another stage-1 run",
        "settings": "their stored settings differ"}


def encoder_folder(stage1: str, settings: EncoderSettings, root: Optional[Path] = None) -> Path:
    """Where the encoders of run ``stage1`` with ``settings`` are cached."""
    return Path(root or cache_dir()) / "encoders" / encoder_name(stage1, settings)


def _identity(stage1: str, data_fingerprint: str, settings: EncoderSettings) -> dict:
    """What stored encoders must match to be reused: the stage-1 run, its data and every setting."""
    return {"stage1": stage1, "data_fingerprint": data_fingerprint, "settings": settings.identity()}


def save_encoders(enc: EncoderRun, root: Optional[Path] = None) -> Path:
    """Write ``enc`` atomically in ``<root>/encoders/<name>/``; returns the folder."""
    state = {part: {k: v.cpu() for k, v in m.state_dict().items()}
             for part, m in (("model", enc.model), ("regressed", enc.regressed))}
    enc.folder = store.save(encoder_folder(enc.stage1, enc.settings, root), "encoders",
                            _identity(enc.stage1, enc.data_fingerprint, enc.settings),
                            {"history.csv": enc.history, "model.pt": state}, {"timings": enc.timings})
    return enc.folder


def load_encoders(run: Run, settings: EncoderSettings, root: Optional[Path] = None) -> Optional[EncoderRun]:
    """The cached encoders of ``run`` with ``settings``, or None when absent, stale or damaged
    (those get one ``StaleRunWarning`` naming the folder and why, before they are retrained)."""

    def read(entry: store.Entry) -> EncoderRun:
        history, state = entry["history.csv"], entry["model.pt"]
        if len(history) != settings.regress_epochs + settings.finetune_epochs:
            raise store.Unusable(f"history.csv has {len(history)} epochs, the settings "
                                 f"{settings.regress_epochs} + {settings.finetune_epochs}")
        device, models = run.model.classes.device, {}
        with torch.random.fork_rng(devices=[]):  # building draws initial weights: leave the caller's stream
            for part in ("model", "regressed"):
                models[part] = build_amortized(run, settings)
                models[part].load_state_dict(state[part])
        return EncoderRun(settings, run.name, models["model"].to(device).eval(),
                          models["regressed"].to(device).eval(), history, entry.meta["timings"],
                          run.data_fingerprint, version=entry.meta["version"], cached=True, folder=entry.folder)

    return store.load(encoder_folder(run.name, settings, root), "encoders",
                      _identity(run.name, run.data_fingerprint, settings), read, _WHY)


def encoders_or_load(run: Run, settings: EncoderSettings = EncoderSettings(), root: Optional[Path] = None,
                     progress: bool = False) -> EncoderRun:
    """The cached encoders of ``run`` with ``settings`` when valid, else freshly trained (and cached) ones."""
    enc = load_encoders(run, settings, root)
    if enc is None:
        enc = train_encoders(run, settings, progress=progress)
        save_encoders(enc, root)
    return enc
