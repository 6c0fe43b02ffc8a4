"""Words from numbers: the small, tested pieces that report sentences are built from.

Nothing here knows a study; each text module (``glo_lib.narrative``) composes its sentences
from these and from its study's measured table.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

#: relative change below which two means count as "about the same" (2%): smaller moves are
#: within the seed-to-seed spread of the measures at Table 1 (see the noise study's table)
SAME_REL_TOL = 0.02


def direction(before: float, after: float, rel_tol: float = SAME_REL_TOL) -> int:
    """+1 when ``after`` exceeds ``before`` by more than ``rel_tol`` (relative), -1 when it falls
    short by as much, 0 when the two are about the same: prose must not call noise a trend."""
    scale = max(abs(before), abs(after), 1e-12)
    return 0 if abs(after - before) <= rel_tol * scale else (1 if after > before else -1)


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


def listing(items: Sequence[str], conjunction: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def mean_std(df: pd.DataFrame, by: str, columns: list[str], digits: int = 3) -> pd.DataFrame:
    """Per value of ``by``: "mean ± std" over the other rows (e.g. seeds) of each column."""
    grouped = df.groupby(by)[columns]
    mean, std = grouped.mean(), grouped.std(ddof=1).fillna(0.0)  # sample std over seeds
    return pd.DataFrame({c: [f"{m:.{digits}f} ± {s:.{digits}f}" for m, s in zip(mean[c], std[c])]
                         for c in columns}, index=mean.index)
