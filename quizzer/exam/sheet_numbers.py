"""How big a numeric answer's digit grid is on an answer sheet, from the key and the tolerance it is graded with.

The grid reads as ``[-]digits`` with the decimal point ``decimals`` places from the right, then ``e[-]digits``
when the exponent columns are filled (the layout contract in ``manifest.py``). Sizing rule:

* **resolution**: the coarsest power of ten ``q`` whose rounding error ``q/2`` stays within the grading
  tolerance ``max(abs_tol, rel_tol·|key|)``; an exact key (no tolerance) gets ``sig_figs`` + 1 significant digits
  (the grader accepts a value correctly rounded to 3 significant figures, one more keeps it unambiguous);
  never finer than 6 significant digits (a tolerance of 1e-12 on a key of 0.3 needs no 13 columns).
* **columns**: the key's digits from its leading digit (or the units place) down to ``q``, plus one spare
  column for a rounding carry (9.996 → 10.00) or a wrong answer ten times too large.
* **exponent**: when the key is at least 10⁶ or below 10⁻³ (where students write powers of ten anyway), or
  plain notation would need more than ``MAX_PLAIN`` columns, the digits hold the mantissa and two exponent
  columns with their own sign follow.
* **integers** (an integer key graded exactly): no decimals column; a sign column only when the key is negative
  or could be (always offered: a wrong negative answer must be writable too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_PLAIN = 8  # digit columns in plain notation before switching to an exponent
MAX_SIG = 6
EXP_DIGITS = 2
SPARE = 1


@dataclass(frozen=True)
class GridSize:
    digits: int  # digit columns
    decimals: int  # the decimals column offers 0 … this (0: no decimals column)
    exp_digits: int  # exponent digit columns (0: no exponent)


def _resolution_exponent(value: float, rel_tol: float, abs_tol: float, sig_figs: int) -> int:
    """k such that writing the key rounded to 10**k is graded right."""
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    tol = max(abs_tol, rel_tol * abs(value))
    finest = magnitude - MAX_SIG + 1
    k = math.floor(math.log10(2 * tol)) if tol > 0 else magnitude - sig_figs
    return max(k, finest)


def grid_size(
    value: float, rel_tol: float = 0.0, abs_tol: float = 0.0, *, integer: bool, sig_figs: int = 3
) -> GridSize:
    """The digit grid a key needs (see the module docstring for the rule)."""
    if not math.isfinite(value):
        raise ValueError(f"a digit grid cannot hold {value!r}")
    if integer:
        return GridSize(digits=len(str(abs(int(value)))) + SPARE, decimals=0, exp_digits=0)
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    k = _resolution_exponent(value, rel_tol, abs_tol, sig_figs)
    k = min(k, 0) if abs(value) < 1e6 else k
    significant = magnitude - k + 1
    plain_columns = max(magnitude, 0) - k + 1 if k < 0 else max(magnitude + 1, 1)
    exponent = (value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3)) or plain_columns + SPARE > MAX_PLAIN
    if exponent:
        digits = min(max(significant, sig_figs + 1), MAX_SIG) + SPARE
        return GridSize(digits=digits, decimals=min(digits - 1, 9), exp_digits=EXP_DIGITS)
    digits = plain_columns + SPARE
    return GridSize(digits=digits, decimals=min(max(-k, 0) + 1, 9), exp_digits=0)
