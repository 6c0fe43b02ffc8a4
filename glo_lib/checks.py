"""The one set of validators that the config, the notebooks and the CLI share.

Each returns the value it checked (normalised: ints stay ints, numbers become floats, lists
become lists) or raises ValueError naming the parameter, the value given and what is allowed.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Optional, Sequence


class ParameterError(ValueError):
    """A parameter has a value that is not allowed; ``name`` is the parameter."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_int(name: str, value: Any, minimum: Optional[int] = None, maximum: Optional[int] = None,
              note: str = "") -> int:
    """An integer (not a bool) within [minimum, maximum]; ``note`` says where a bound comes from."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    ok = ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not ok:
        if minimum is not None and maximum is not None:
            allowed = f"an integer from {minimum} to {maximum}"
        elif minimum is not None:
            allowed = f"an integer >= {minimum}"
        else:
            allowed = "an integer" if maximum is None else f"an integer <= {maximum}"
        raise ParameterError(name, f"{name} must be {allowed}{f' ({note})' if note else ''}, got {value!r}")
    return value


def check_number(name: str, value: Any, minimum: float = 0.0, inclusive: bool = True, note: str = "") -> float:
    """A finite number >= ``minimum`` (> when not ``inclusive``); ``note`` explains the unit."""
    ok = _is_number(value) and math.isfinite(value) and (value >= minimum if inclusive else value > minimum)
    if not ok:
        bound = f"{'>=' if inclusive else '>'} {minimum:g}"
        raise ParameterError(name, f"{name} must be a finite number {bound}{f' ({note})' if note else ''}, got {value!r}")
    return float(value)


def check_choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """One of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(name, f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(name, f"{name} must be True or False, got {value!r}")
    return value


def check_text(name: str, value: Any, what: str = "a non-empty string") -> str:
    if not isinstance(value, str) or not value:
        raise ParameterError(name, f"{name} must be {what}, got {value!r}")
    return value


def check_list(name: str, values: Any, kind: type = float, minimum: Optional[float] = None,
               allow_empty: bool = False) -> list:
    """A list of distinct finite numbers (integers when ``kind`` is int), each >= ``minimum``."""
    allowed = f"a {'' if allow_empty else 'non-empty '}list of {'integers' if kind is int else 'numbers'}"
    if minimum is not None:
        allowed += f" >= {minimum:g}"
    if not isinstance(values, (list, tuple)) or (not values and not allow_empty):
        raise ParameterError(name, f"{name} must be {allowed}, got {values!r}")
    for v in values:
        ok = _is_number(v) and math.isfinite(v) and (kind is not int or isinstance(v, int))
        if not ok or (minimum is not None and v < minimum):
            raise ParameterError(name, f"{name} must be {allowed}, got {values!r}")
    if len(set(values)) != len(values):
        raise ParameterError(name, f"{name} must be {allowed}, each value once; got {values!r}")
    return [kind(v) for v in values]


def check_names(name: str, values: Any, allowed: Iterable[str]) -> list[str]:
    """A non-empty list of distinct names, each one of ``allowed``."""
    allowed = list(allowed)
    if isinstance(values, str) or not isinstance(values, (list, tuple)) or not values:
        raise ParameterError(name, f"{name} must be a non-empty list drawn from {allowed}, got {values!r}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ParameterError(name, f"{name} must be drawn from {allowed}; unknown: {unknown}")
    if len(set(values)) != len(values):
        raise ParameterError(name, f"{name} lists a name twice: {list(values)}")
    return list(values)
