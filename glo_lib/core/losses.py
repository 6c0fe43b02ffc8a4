"""Reconstruction losses by name. Each maps (reconstruction, target) -> scalar mean loss."""
from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F

from .config import GLOConfig
from .data import Digits
from .perceptual import PerceptualLoss, feature_net

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def l1(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute error, mean |x - y|: keeps edges, tolerates outlier pixels."""
    return F.l1_loss(x, y)


def l2(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error, mean (x - y)^2: the mean of the plausible images, hence blur."""
    return F.mse_loss(x, y)


def l1_l2(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """L1 + L2, the course report's default."""
    return l1(x, y) + l2(x, y)


_PIXEL_LOSSES: dict[str, LossFn] = {"l1": l1, "l2": l2, "l1+l2": l1_l2}


def make_loss(cfg: GLOConfig, digits: Digits) -> LossFn:
    """The loss ``cfg.loss`` names, ready to train ``digits``: for "perceptual", with the frozen,
    calibrated feature network ``cfg.perceptual_net`` names (the judge is trained once and cached)."""
    return get_loss(cfg.loss, feature_net(cfg, digits) if cfg.loss == "perceptual" else None)


def get_loss(name: str, features: Optional[torch.nn.Module] = None) -> LossFn:
    """The loss called ``name``; "perceptual" needs ``features``, a frozen feature network
    (``make_loss(cfg, digits)`` builds the judge's or VGG16's)."""
    if name in _PIXEL_LOSSES:
        return _PIXEL_LOSSES[name]
    if name == "perceptual":
        if features is None:
            raise ValueError("the perceptual loss needs a feature network: pass "
                             "features=glo_lib.core.perceptual.feature_net(cfg, digits), or use make_loss")
        return PerceptualLoss(features)
    raise ValueError(f"loss must be one of {', '.join(_PIXEL_LOSSES)}, perceptual; got {name!r}")


def content_penalty(content: torch.Tensor) -> torch.Tensor:
    """Activation decay of LORD: mean over the batch of the squared L2 norm of content codes."""
    return content.pow(2).sum(dim=1).mean()
