"""Making user- and file-derived text safe to store, echo and export.

One place for it, so every CSV writer and every echo of an answer applies the same rules.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

# C0 and C1 control characters except tab and newline: an answer like "\x1b]8;;http://…" must not
# reach a terminal as an escape sequence, nor be stored and replayed later by `history`.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Spreadsheet programs run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 control characters (tab and newline are kept)."""
    return _CONTROL.sub("", text)


def csv_cell(value: Any) -> Any:
    """A value safe to put in a CSV cell: text that a spreadsheet would run as a formula gets a leading '.

    Numbers stay numbers (a negative number is data, not a formula); only strings are neutralised.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV with every cell neutralised; every CSV quizzer writes goes through here."""
    writer = csv.writer(handle)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
