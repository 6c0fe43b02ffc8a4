"""Checked claims: a sentence that states a measured result, the tables it rests on, and the
predicate that must hold over every row it speaks of.

A claim is printed only when its predicate holds at every row (every point of a curve, every
setting of every table for "no setting"); ``choose`` picks, from a few wordings, the first whose
predicate holds, and ``Claim.check`` raises ``ClaimError`` (failing the notebook, and the build)
when the chosen wording does not hold. A wording is a statement about all its rows, never about
the first and the last alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import pandas as pd

#: a predicate: the rows a claim speaks of -> one bool per row (does the statement hold there?)
Predicate = Callable[[pd.DataFrame], pd.Series]


class ClaimError(AssertionError):
    """A sentence about measured results that its own tables contradict."""


@dataclass(frozen=True)
class Claim:
    """One sentence about measured results and what it was checked against."""

    name: str  # short identity, e.g. "probe.leak_at_low_sigma"
    statement: str  # the sentence as printed
    tables: tuple[str, ...]  # the tables (by their report names) the rows come from
    rows: pd.DataFrame  # every row the statement speaks of
    predicate: Predicate

    def failures(self) -> pd.DataFrame:
        """The rows where the statement does not hold."""
        if self.rows.empty:
            return self.rows
        ok = pd.Series(self.predicate(self.rows), index=self.rows.index).astype(bool)
        return self.rows[~ok]

    @property
    def holds(self) -> bool:
        return not self.rows.empty and self.failures().empty

    def check(self) -> "Claim":
        """This claim, or ``ClaimError`` naming the rows that contradict it."""
        if self.rows.empty:
            raise ClaimError(f"claim {self.name!r} speaks of no rows: {self.statement}")
        bad = self.failures()
        if not bad.empty:
            raise ClaimError(f"claim {self.name!r} is contradicted by {len(bad)} of {len(self.rows)} rows of "
                             f"{', '.join(self.tables)}: {self.statement}\n{bad.to_string()}")
        return self


def choose(name: str, tables: Sequence[str], rows: pd.DataFrame,
           wordings: Sequence[tuple[str, Predicate]]) -> Optional[Claim]:
    """None without rows to speak of; else the first of ``wordings`` (statement, predicate) that holds over every row, checked; the
    last one's failure raises ``ClaimError``, so give a last wording that says what is left."""
    if rows.empty:
        return None
    for statement, predicate in wordings:
        claim = Claim(name, statement, tuple(tables), rows, predicate)
        if claim.holds:
            return claim
    return claim.check()


def record(claims: Sequence[Claim]) -> pd.DataFrame:
    """The claims as a table (name, statement, tables, rows checked, holds): what a notebook saves
    so that a test can read every claim of the build."""
    return pd.DataFrame([{"claim": c.name, "statement": c.statement, "tables": "; ".join(c.tables),
                          "rows": len(c.rows), "holds": c.holds} for c in claims],
                        columns=["claim", "statement", "tables", "rows", "holds"])


def with_exceptions(name: str, tables: Sequence[str], rows: pd.DataFrame, statement: str, predicate: Predicate,
                    describe: Callable[[pd.Series], str], none_hold: str) -> Optional[Claim]:
    """None when there are no rows to speak of (nothing is said); ``statement`` when ``predicate`` holds at every row; else the statement followed by the rows
    where it does not, each named by ``describe`` ("..., except at sigma = 2"), checked as "holds,
    or is one of those named"; ``none_hold`` when it holds at no row."""
    if rows.empty:
        return None
    ok = pd.Series(predicate(rows), index=rows.index).astype(bool)
    if ok.all():
        return Claim(name, statement, tuple(tables), rows, predicate).check()
    if not ok.any():
        return Claim(name, none_hold, tuple(tables), rows, lambda r: ~pd.Series(predicate(r), index=r.index)).check()
    named = set(rows.index[~ok])
    said = statement.rstrip(".") + ", except " + _listing([describe(rows.loc[i]) for i in rows.index[~ok]]) + "."
    return Claim(name, said, tuple(tables), rows,
                 lambda r: pd.Series(predicate(r), index=r.index) | r.index.isin(named)).check()


def _listing(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
