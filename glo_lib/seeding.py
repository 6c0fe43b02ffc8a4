"""One seeding function for python, numpy and torch."""
from __future__ import annotations

import random

import numpy as np
import torch


def set_seed(seed: int) -> torch.Generator:
    """Seed every generator a run touches; returns a torch Generator for batch order."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def pick_device(name: str) -> torch.device:
    """"auto" -> CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' asked for, but torch sees no CUDA device; use 'auto' or 'cpu'")
    return torch.device(name)
