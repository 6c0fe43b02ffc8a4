"""Seeding: one function for python, numpy and torch, and independent named random streams."""
from __future__ import annotations

import random
import zlib

import numpy as np
import torch


def set_seed(seed: int) -> torch.Generator:
    """Seed every generator a run touches; returns a torch Generator for batch order."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def seeded_generator(seed: int, stream: str) -> torch.Generator:
    """A torch Generator for ``seed`` and a named ``stream``, independent of ``manual_seed(seed)``.

    Why: a run seeded with s draws its initial codes from ``manual_seed(s)``; a sampler seeded
    with the same s on that stream would redraw those very codes (the first random "class
    codes" would be the initial class codes), so each use gets its own stream.
    """
    words = np.random.SeedSequence([seed, zlib.crc32(stream.encode())]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(words[0]) << 31 | int(words[1]) >> 1)
