"""Which arithmetic a run trains in, chosen by what the CPU reports.

bf16 autocast pays only where the CPU multiplies bf16 natively (AVX512-BF16 or AMX): measured
there (benchmarks/run.py) a training step of the default generator takes about 0.6x the fp32
time. Elsewhere oneDNN emulates bf16, about 40x slower than fp32 on an AVX2 machine, so "auto"
keeps fp32. The choice is read from the CPU, never from a timing, so a machine always makes the
same one; it is part of a run's cache key because it changes the trained result slightly.
"""
from __future__ import annotations

import functools
from contextlib import nullcontext
from pathlib import Path
from typing import ContextManager

import torch

PRECISIONS = ("auto", "fp32", "bf16")
#: /proc/cpuinfo flags of native bf16 arithmetic
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux's /proc/cpuinfo; empty where it cannot be read)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    line = next((l for l in text.splitlines() if l.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


def native_bf16() -> bool:
    """Does this CPU compute bf16 natively (and does torch use AVX-512 on it)?"""
    return torch.backends.cpu.get_cpu_capability() == "AVX512" and bool(cpu_flags() & set(BF16_FLAGS))


def pick_precision(name: str, device: torch.device) -> str:
    """"auto" -> "bf16" on a CPU with native bf16, else "fp32"; "fp32"/"bf16" as asked.
    On a GPU "auto" is fp32: the small models here gain little there."""
    if name != "auto":
        return name
    return "bf16" if device.type == "cpu" and native_bf16() else "fp32"


def autocast(precision: str, device: torch.device) -> ContextManager:
    """Mixed precision for a forward pass: bf16 matrix products and convolutions, fp32 weights."""
    if precision == "bf16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return nullcontext()
