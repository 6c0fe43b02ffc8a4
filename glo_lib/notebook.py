"""Small helpers that keep notebook cells short: parameter checks and generated sentences."""
from __future__ import annotations

from typing import Any, Optional


def check_list(name: str, values: Any, kind: type, minimum: Optional[float] = None) -> None:
    """A notebook parameter that must be a non-empty list of numbers (ValueError naming it)."""
    allowed = f"a non-empty list of {'integers' if kind is int else 'numbers'}"
    if minimum is not None:
        allowed += f" >= {minimum:g}"
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"{name} must be {allowed}, got {values!r}")
    for v in values:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (kind is not int or isinstance(v, int))
        if not ok or (minimum is not None and v < minimum) or v != v:
            raise ValueError(f"{name} must be {allowed}, got {values!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must be {allowed}, each value once; got {values!r}")


def describe_trend(start: float, end: float, tolerance: float, what: str, expected: str) -> str:
    """One sentence on how a measure moved from start to end, and whether that was expected.

    ``expected`` is "increases" or "decreases"; changes within ``tolerance`` count as none.
    """
    change = end - start
    if abs(change) <= tolerance:
        observed = "stays flat"
    else:
        observed = "increases" if change > 0 else "decreases"
    sentence = f"Within the spread of the measurement, {what} {observed} ({start:.1%} to {end:.1%})"
    if observed == expected:
        return sentence + ", as expected."
    return sentence + f": this contradicts the expectation that it {expected}."


def change(start: float, end: float, fmt: str = ".3f", tolerance: float = 0.0) -> str:
    """"rises from a to b", "falls from a to b" or "stays at about a" (within ``tolerance``)."""
    if abs(end - start) <= tolerance:
        return f"stays at about {start:{fmt}}"
    return f"{'rises' if end > start else 'falls'} from {start:{fmt}} to {end:{fmt}}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
