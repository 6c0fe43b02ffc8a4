"""The perceptual loss of LORD, small enough to train on a CPU.

    loss(x, y) = mean |x - y|  +  sum_l w_l * mean |phi_l(x) - phi_l(y)|

phi_l are the activations of a frozen network at several depths (Gabbay & Hoshen 2020 use
ImageNet VGG16 at relu1_2 ... relu5_3, plus the pixel L1 term). ImageNet weights cannot be
downloaded here, so the default network is the judge (judge.py): a small CNN trained only on
held-out real digits, never on GLO training images, read at three depths (after each conv
block, and its 64-d feature layer). VGG16 is used only when its weights file is already on disk.

LORD sums the VGG terms unweighted. We weight each depth by mean |pixel| / mean |phi_l| on real
held-out digits, so every term is in pixel units: no depth drowns the others, and the loss stays
on the scale of L1, which keeps the content penalty's weight comparable across the four losses.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from .config import GLOConfig
from .data import Digits
from .judge import JudgeNet, folded_blocks, judge_or_load

VGG16_FILE = "vgg16-397923af.pth"  # the name torchvision gives the ImageNet VGG16 weights
VGG16_ENV = "GLO_VGG16_WEIGHTS"  # a path to that file anywhere else
_VGG16_CUTS = (4, 9, 16, 23, 30)  # stage ends: relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 (LORD's)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)
CALIBRATION_IMAGES = 1000  # held-out real digits that set the per-depth weights


class FeatureNet(nn.Module):
    """A frozen chain of stages; returns the activations after each stage (shallow to deep)."""

    def __init__(self, stages: Sequence[nn.Module], name: str):
        super().__init__()
        self.stages = nn.ModuleList(stages)
        self.name = name
        self.weights: tuple[float, ...] = (1.0,) * len(stages)  # per-depth weights, see calibrate()
        self.requires_grad_(False)  # gradients pass through to the images, never into the network
        for p in self.parameters():
            p.grad = None  # nor do stale ones from the network's own training travel with it
        self.eval()

    def train(self, mode: bool = True) -> "FeatureNet":
        # frozen for good: batch norm keeps its running statistics whatever a caller asks
        return super().train(False)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        out = []
        for stage in self.stages:
            x = stage(x)
            out.append(x)
        return out

    @torch.no_grad()
    def calibrate(self, real: torch.Tensor) -> "FeatureNet":
        """Weight each depth by mean |pixel| / mean |activation| on ``real`` images."""
        real = real.float().to(self.device)
        pixel = real.abs().mean().item()
        self.weights = tuple(pixel / max(f.abs().mean().item(), 1e-8) for f in self(real))
        return self

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device


class PerceptualLoss(nn.Module):
    """Pixel L1 plus weighted L1 distances between feature maps of a frozen network."""

    def __init__(self, features: FeatureNet, cache_mb: float = 256):
        super().__init__()
        self.features = features
        self._targets = _TargetFeatures(cache_mb)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.features.device != x.device:  # follow the trainer's device, once
            self.features.to(x.device)
        loss = (x - y).abs().mean()
        targets = self._targets(self.features, y)
        for w, fx, fy in zip(self.features.weights, self.features(x), targets):
            loss = loss + w * (fx - fy).abs().mean()
        return loss


class _TargetFeatures:
    """Features of target images, computed once per image and looked up by its exact bytes.

    GLO's targets are the same training images every epoch, so after the first epoch the
    frozen network runs on reconstructions only (forward and backward), one pass in three
    saved per step. On a GPU, or past ``cache_mb``, features are simply recomputed.
    """

    def __init__(self, cache_mb: float):
        self.rows: dict[bytes, list[torch.Tensor]] = {}
        self.free = int(cache_mb * 2**20)

    @torch.no_grad()  # targets are fixed images: no graph through them
    def __call__(self, net: FeatureNet, y: torch.Tensor) -> list[torch.Tensor]:
        if y.device.type != "cpu":
            return net(y)
        keys = [row.tobytes() for row in y.detach().numpy()]
        missing = list({k: i for i, k in enumerate(keys) if k not in self.rows}.values())
        spill: dict[bytes, list[torch.Tensor]] = {}  # computed now, but no room left to keep
        if missing:
            fresh = net(y[missing])
            for j, i in enumerate(missing):
                row = [f[j].clone() for f in fresh]
                size = sum(t.numel() * t.element_size() for t in row)
                if size <= self.free:
                    self.rows[keys[i]], self.free = row, self.free - size
                else:
                    spill[keys[i]] = row
        rows = [self.rows.get(k) or spill[k] for k in keys]
        return [torch.stack([r[d] for r in rows]) for d in range(len(net.stages))]


def judge_features(net: JudgeNet) -> FeatureNet:
    """The judge read after each conv block (16 x 14 x 14, 32 x 7 x 7) and at its 64-d features.

    Same values as the judge's own layers, computed cheaper: the judge's reader's folded blocks
    (``judge.folded_blocks``: batch norm folded into each convolution, max-pooling before the ReLU).
    """
    return FeatureNet([*folded_blocks(net), copy.deepcopy(net.fc)], name="judge")  # copies: the judge stays as it was


class _ImageNetInput(nn.Module):
    """Grey digits as VGG expects them: three equal channels, ImageNet mean and std."""

    def __init__(self):
        super().__init__()
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.expand(-1, 3, -1, -1) - self.mean) / self.std


def vgg16_weights_path() -> Path:
    """The local VGG16 weights file: ``$GLO_VGG16_WEIGHTS``, else torch hub's checkpoint folder.

    Never downloads: a missing file is an error that names where the file is expected.
    """
    if os.environ.get(VGG16_ENV):
        path = Path(os.environ[VGG16_ENV]).expanduser()
        if path.is_file():
            return path
        raise FileNotFoundError(f"{VGG16_ENV} is set to {str(path)!r}, but there is no such file; "
                                f"point it at torchvision's VGG16 weights ({VGG16_FILE})")
    path = Path(torch.hub.get_dir()) / "checkpoints" / VGG16_FILE
    if path.is_file():
        return path
    raise FileNotFoundError(
        f"perceptual_net='vgg16' needs torchvision's ImageNet VGG16 weights, {VGG16_FILE}, in "
        f"{path.parent} (or a path in ${VGG16_ENV}); nothing is downloaded here. Copy the file "
        f"there from a machine that has it, or use perceptual_net='judge'.")


def vgg16_features(path: Path) -> FeatureNet:
    """VGG16's convolutional part from a local torchvision weights file, cut at LORD's layers."""
    from torchvision.models.vgg import cfgs, make_layers

    body = make_layers(cfgs["D"])  # VGG16's convolutional part, built without its 100M-weight classifier
    state = torch.load(path, map_location="cpu", weights_only=True)
    mine = {k.removeprefix("features."): v for k, v in state.items() if k.startswith("features.")}
    try:
        body.load_state_dict(mine)
    except RuntimeError as err:
        raise ValueError(f"{path} is not a torchvision VGG16 weights file ({VGG16_FILE}): {err}") from None
    for layer in body:
        if isinstance(layer, nn.ReLU):
            layer.inplace = False  # each stage's output is kept, so nothing may overwrite it
    stages, start = [], 0
    for end in _VGG16_CUTS:
        stages.append(body[start:end])
        start = end
    stages[0] = nn.Sequential(_ImageNetInput(), stages[0])
    return FeatureNet(stages, name="vgg16")


def feature_net(cfg: GLOConfig, digits: Digits) -> FeatureNet:
    """The frozen, calibrated feature network that ``cfg.perceptual_net`` names.

    "judge": the judge of these digits' held-out pool (cached; shared with the measures).
    "vgg16": the local VGG16 weights, or a FileNotFoundError before any training.
    """
    if cfg.perceptual_net == "vgg16":
        net = vgg16_features(vgg16_weights_path())
    else:
        net = judge_features(judge_or_load(digits, epochs=cfg.perceptual_judge_epochs).net)
    # held-out real digits only: the GLO training images never shape the loss
    return net.calibrate(digits.heldout_images[:CALIBRATION_IMAGES])
