"""The report's notation: how it names losses, samplers, code initialisations, generator families
and sigma values, written once.

A leaf: studies build their tables with these names, ``narrative`` writes its sentences with
them and ``reporting`` labels its figures with them, so none of them has to ask another.
Measure labels live with the measures (``measures.registry``).
"""
from __future__ import annotations

from typing import Iterable

#: how the report writes each loss (one notation throughout)
LOSS_NAMES = {"l1": "L1", "l2": "L2", "l1+l2": "L1+L2", "perceptual": "perceptual"}

#: how the report names each sampler (figure titles, sentences)
SAMPLER_NAMES = {
    "random": "random vectors (course report)",
    "gaussian": "class code + Gaussian content",
    "per_class": "class code + per-class content",
}
#: the samplers' names in the sampling table, short enough for its first column
SAMPLER_SHORT_NAMES = {"random": "random vectors", "gaussian": "class + Gaussian", "per_class": "class + per-class",
                       "real": "real training digits"}

#: how the report names each code initialisation
INIT_NAMES = {"normal": "N(0, 1) codes (nn.Embedding)", "lord": "codes uniform in ±0.05 (LORD)"}


def family_name(generator: str, code_init: str) -> str:
    """How the report names a family of runs: "lord generator, normal init"."""
    return f"{generator} generator, {code_init} init"


def sigma_label(sigma: float) -> str:
    """"σ = 0.3": a run's content noise as figure rows and legends name it."""
    return f"σ = {sigma:g}"


def sigma_values(sigmas: Iterable[float]) -> str:
    """"0, 0.3, 1": sigma values as the report's sentences list them."""
    return ", ".join(f"{s:g}" for s in sigmas)
