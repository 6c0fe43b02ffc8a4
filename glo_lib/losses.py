"""Reconstruction losses by name. Each maps (reconstruction, target) -> scalar mean loss."""
from __future__ import annotations

from typing import Callable, Optional

import torch
import torch.nn.functional as F

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


def get_loss(name: str, features: Optional[torch.nn.Module] = None) -> LossFn:
    """The loss called ``name``; "perceptual" needs ``features``, a frozen feature network
    (``glo_lib.perceptual.feature_net(cfg, digits)`` builds the judge's or VGG16's)."""
    if name in _PIXEL_LOSSES:
        return _PIXEL_LOSSES[name]
    if name == "perceptual":
        if features is None:
            raise ValueError("the perceptual loss needs a feature network: pass "
                             "features=glo_lib.perceptual.feature_net(cfg, digits)")
        from .perceptual import PerceptualLoss

        return PerceptualLoss(features)
    raise ValueError(f"loss must be one of {', '.join(_PIXEL_LOSSES)}, perceptual; got {name!r}")


def content_penalty(content: torch.Tensor) -> torch.Tensor:
    """Activation decay of LORD: mean over the batch of the squared L2 norm of content codes."""
    return content.pow(2).sum(dim=1).mean()
