"""The training loop: batch, forward, loss, backward, step, record."""
from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import pandas as pd
import torch
import torch.nn.functional as F
from torchvision.utils import make_grid
from tqdm.auto import tqdm

from ..seeding import set_seed
from ..version import __version__
from .adversary import make_adversary
from .config import GLOConfig, pick_device
from .data import Digits
from .losses import LossFn, content_penalty, make_loss
from .model import GLOModel
from .precision import autocast


#: images the per-epoch yardstick redraws: the first ones of the training set, a seeded random
#: sample of it (at 2,000 images, redrawing all of them every epoch cost 60% of the epoch)
YARDSTICK_IMAGES = 512
#: images redrawn at once when all of them are (the last epoch's yardstick, ``Run.reconstructions``):
#: the generator's activations for 60,000 images at once took 7.8 GB (benchmarks/bench_scale.py)
RECONSTRUCT_CHUNK = 2048
#: the environment variable naming a TensorBoard folder for runs whose config sets no ``log_dir``
TENSORBOARD_ENV = "GLO_TENSORBOARD_DIR"
#: training images (the first ones) whose reconstructions a run writes to TensorBoard beside them
TENSORBOARD_IMAGES = 16


@dataclass
class Run:
    """A trained model with its config, per-epoch history and timings."""

    config: GLOConfig
    model: GLOModel
    history: pd.DataFrame
    timings: dict
    data_fingerprint: str
    version: str = __version__
    snapshots: dict = field(default_factory=dict)  # epoch -> model state_dict
    digits: Optional[Digits] = None  # the data it was trained on (not stored on disk)
    cached: bool = False  # True when loaded from the run cache instead of trained
    folder: Optional[Path] = None  # its folder in the run cache, once saved or loaded

    def __post_init__(self) -> None:
        if self.digits is not None:  # functions given only the model can still name its classes
            self.model.class_names = self.digits.class_names

    @property
    def name(self) -> str:
        return self.config.run_name()

    def reconstructions(self, ids: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Noise-free reconstructions of training images (all of them by default)."""
        d = self.digits
        ids = torch.arange(len(d.labels)) if ids is None else torch.as_tensor(ids)
        self.model.eval()
        dev = self.model.classes.device
        return torch.cat([self.model.reconstruct(part.to(dev), d.labels[part].to(dev)).cpu()
                          for part in ids.split(RECONSTRUCT_CHUNK)])  # bounded memory at any size

    def model_at(self, epoch: int) -> GLOModel:
        """A copy of the model as it was at the end of ``epoch`` (needs a snapshot)."""
        if epoch not in self.snapshots:
            raise KeyError(f"no snapshot of epoch {epoch}; kept: {sorted(self.snapshots)}")
        m = copy.deepcopy(self.model)
        m.load_state_dict(self.snapshots[epoch])
        return m.eval()


def train(cfg: GLOConfig, digits: Digits, progress: bool = True,
          snapshot_epochs: Iterable[int] = (), loss_fn: Optional[LossFn] = None,
          log_dir: Optional[str] = None) -> Run:
    """Optimise codes and generator jointly; returns the run (the loop does not print).
    ``log_dir``: TensorBoard folder the run's history and reconstructions are written to once it
    is trained (None: ``tensorboard_dir(cfg)``; "": none)."""
    snapshot_epochs = set(snapshot_epochs)
    log_dir = tensorboard_dir(cfg) if log_dir is None else log_dir
    if log_dir:
        summary_writer(log_dir)  # a missing tensorboard fails here, not after the training
    device = pick_device(cfg.device)
    if loss_fn is None:  # before seeding: the perceptual loss's judge may be trained (and seeded) here
        loss_fn = make_loss(cfg, digits)
    gen, model = initial_model(cfg, len(digits.labels), digits.n_classes)
    model = model.to(device)
    precision = model.precision  # the config's, resolved for this machine
    # one Adam with a learning rate per part, as in Table 1
    opt = adam([
        {"params": list(model.generator.parameters()), "lr": cfg.lr_generator},
        {"params": list(model.class_codes.parameters()), "lr": cfg.lr_class},
        {"params": list(model.content_codes.parameters()), "lr": cfg.lr_content},
    ])
    images, labels = digits.images.to(device), digits.labels.to(device)
    n = len(labels)
    adversary = make_adversary(cfg, digits.n_classes, -(-n // cfg.batch_size), device)  # None when off
    rows, snapshots = [], {}
    start = time.perf_counter()
    for epoch in tqdm(range(1, cfg.epochs + 1), desc=cfg.run_name(), disable=not progress, leave=False):
        t0 = time.perf_counter()
        model.train()
        # sums of (loss, reconstruction, penalty) x batch size, kept on the device: one host sync per epoch
        sums = torch.zeros(3, dtype=torch.float64, device=device)
        for ids in torch.randperm(n, generator=gen).split(cfg.batch_size):
            ids = ids.to(device)
            with autocast(precision, device):
                recon, content = model(ids, labels[ids])
            rec = loss_fn(recon.float(), images[ids])
            pen = content_penalty(content)
            loss = rec + cfg.content_decay * pen
            if adversary is not None:  # Fader's min-max: the adversary learns from these codes, which then learn to fool it
                loss = loss + adversary.train_then_fool(content, labels[ids])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sums += torch.stack([loss.detach(), rec.detach(), pen.detach()]).double() * len(ids)
        total, total_rec, total_pen = (sums / n).tolist()
        last = epoch == cfg.epochs
        # the curve in the run's precision on a fixed subset; the last epoch on every image, in fp32
        watched = slice(None) if last else slice(YARDSTICK_IMAGES)
        mse, mae = _yardstick(model, images[watched], labels[watched], "fp32" if last else precision)
        rows.append({"epoch": epoch, "loss": total, "reconstruction_loss": total_rec,
                     "content_penalty": total_pen, "mse": mse, "l1": mae, "mse_images": len(labels[watched]),
                     "content_norm": model.content.detach().norm(dim=1).mean().item(),
                     **(adversary.end_epoch() if adversary is not None else {}), "seconds": time.perf_counter() - t0})
        if epoch in snapshot_epochs:
            snapshots[epoch] = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    seconds = time.perf_counter() - start
    model.eval()
    history = pd.DataFrame(rows)
    timings = {"train_seconds": seconds, "seconds_per_epoch": seconds / cfg.epochs,
               "device": str(device), "precision": precision}
    run = Run(cfg, model, history, timings, digits.fingerprint(), snapshots=snapshots, digits=digits)
    if log_dir:
        write_tensorboard(run, log_dir)
    return run


def tensorboard_dir(cfg: GLOConfig) -> str:
    """Where a run of ``cfg`` logs for TensorBoard: its ``log_dir``, else ``$GLO_TENSORBOARD_DIR``,
    else "" (nowhere)."""
    return cfg.log_dir or os.environ.get(TENSORBOARD_ENV, "").strip()


def summary_writer(log_dir: str) -> type:
    """``torch.utils.tensorboard.SummaryWriter``, or an ImportError naming ``log_dir`` and the
    extra to install when tensorboard (an optional dependency) is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter  # imported here: tensorboard is optional
    except ImportError:
        raise ImportError(f"log_dir={log_dir!r} (GLOConfig.log_dir or ${TENSORBOARD_ENV}) asks for "
                          "TensorBoard logs, but the tensorboard package is not installed: "
                          "pip install -e '.[tensorboard]', or leave log_dir empty") from None
    return SummaryWriter


def write_tensorboard(run: Run, log_dir: str) -> Path:
    """``<log_dir>/<run name>/``: every numeric column of the run's history as a scalar per epoch
    (``history/loss``, ``history/mse``, ...), its config as text, and its first training images
    above their reconstructions. Events of an earlier training of the same run are replaced."""
    folder = Path(log_dir).expanduser() / run.name
    for old in folder.glob("events.out.tfevents.*"):  # a retrained run: one curve, not two
        old.unlink()
    with summary_writer(log_dir)(str(folder)) as writer:
        numeric = run.history.select_dtypes("number").drop(columns="epoch")
        for epoch, row in zip(run.history["epoch"], numeric.itertuples(index=False)):
            for name, value in zip(numeric.columns, row):
                writer.add_scalar(f"history/{name}", value, int(epoch))
        writer.add_text("config", f"`{json.dumps(run.config.to_dict())}`", run.config.epochs)
        if run.digits is not None:
            ids = torch.arange(min(TENSORBOARD_IMAGES, len(run.digits.labels)))
            pair = torch.cat([run.digits.images[ids].cpu(), run.reconstructions(ids).clamp(0, 1)])
            writer.add_image("reconstructions", make_grid(pair, nrow=len(ids), pad_value=1.0),
                             run.config.epochs)
    return folder


def adam(groups: list[dict]) -> torch.optim.Optimizer:
    """Adam with its fused kernel (one pass over all parameters) where this torch has one for the
    device, else the multi-tensor one; the same update rule either way."""
    try:
        return torch.optim.Adam(groups, fused=True)
    except RuntimeError:  # torch < 2.4 has no fused Adam on the CPU
        return torch.optim.Adam(groups, foreach=True)


def initial_model(cfg: GLOConfig, n_images: int, n_classes: int = 10) -> tuple[torch.Generator, GLOModel]:
    """The seeded batch-order generator and the untrained model every run of ``cfg`` starts from."""
    gen = set_seed(cfg.seed)
    return gen, GLOModel(n_images, n_classes, cfg)


@torch.no_grad()
def _yardstick(model: GLOModel, images: torch.Tensor, labels: torch.Tensor,
               precision: str = "fp32") -> tuple[float, float]:
    """MSE and L1 of noise-free reconstructions of the first ``len(labels)`` training images:
    comparable across losses and sigmas."""
    model.eval()
    sums = torch.zeros(2, dtype=torch.float64, device=labels.device)
    for ids in torch.arange(len(labels), device=labels.device).split(RECONSTRUCT_CHUNK):
        recon = model.generate_from_ids(labels[ids], model.content.detach()[ids], precision=precision)
        sums += torch.stack([F.mse_loss(recon, images[ids], reduction="sum"),
                             F.l1_loss(recon, images[ids], reduction="sum")]).double()
    mse, mae = (sums / images.numel()).tolist()
    return mse, mae
