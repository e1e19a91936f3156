"""Comparing a typed number with the true value: tolerance, rounding, accepted range."""

from __future__ import annotations

import math
from dataclasses import dataclass

from quizzer.generators.base import fmt
from quizzer.grading.parse import ParsedNumber

MIN_SIG_FIGS = 3


def round_sig(x: float, figs: int) -> float:
    if x == 0:
        return 0.0
    return round(x, figs - 1 - math.floor(math.log10(abs(x))))


@dataclass(frozen=True)
class NumberCheck:
    correct: bool
    exact: bool  # equal to the true value within floating-point noise
    low: float
    high: float


def check_number(
    given: ParsedNumber, truth: float, *, rel_tol: float, abs_tol: float, integer: bool = False
) -> NumberCheck:
    """Whether ``given`` is the true value.

    Integers must match exactly. Reals are accepted within the tolerance (relative, with an
    absolute floor near zero), or when they are the true value correctly rounded to at
    least three significant figures (``0.0299`` for 0.0299368).
    """
    if integer:
        return NumberCheck(given.value == truth, given.value == truth, truth, truth)
    slack = max(rel_tol * abs(truth), abs_tol)
    low, high = truth - slack, truth + slack
    exact = math.isclose(given.value, truth, rel_tol=1e-9, abs_tol=1e-12)
    within = low <= given.value <= high
    rounded = (
        given.sig_figs is not None
        and given.sig_figs >= MIN_SIG_FIGS
        and math.isclose(given.value, round_sig(truth, given.sig_figs), rel_tol=1e-9, abs_tol=1e-15)
    )
    return NumberCheck(exact or within or rounded, exact, low, high)


def accepted_range(check: NumberCheck) -> str:
    if check.low == check.high:
        return fmt(check.low)
    return f"[{fmt(check.low, 6)}, {fmt(check.high, 6)}]"
