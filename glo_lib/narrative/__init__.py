"""The report's words: one module per study, between ``studies`` (the numbers) and ``reporting``.

Every sentence, caption and paragraph of the report, and every threshold that picks a wording,
lives here: ``table1`` (notebook 01), ``noise`` and ``frontier`` (02), ``losses`` (03),
``sampling`` (04), ``probe`` (05), ``encoders`` (06) and ``summary`` (07). A study module never
imports this package; notebooks call ``narrative.<study>.<sentence>(table)``. Their wording is
pinned by the golden files of tests/golden (``make accept-prose`` re-accepts them).
"""
from . import encoders, frontier, losses, noise, probe, sampling, summary, table1

__all__ = ["encoders", "frontier", "losses", "noise", "probe", "sampling", "summary", "table1"]
