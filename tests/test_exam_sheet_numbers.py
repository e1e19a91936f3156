"""The digit grid's size: the key, rounded as the tolerance allows, can always be written in it.

The test writes the key itself (Python's own rounding and formatting, not the sizing code) in every way the grid
allows (each number of decimals, each power of ten when there are exponent columns) and checks that at least one
way fits the columns and reads back within the tolerance the grader uses.
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from quizzer.exam.sheet_numbers import grid_size


def writable(value: float, tol: float, digits: int, decimals: int, exp_digits: int) -> bool:
    powers = range(-(10**exp_digits) + 1, 10**exp_digits) if exp_digits else [0]
    for power in powers:
        mantissa = value / 10.0**power
        for d in range(decimals + 1):
            written = round(abs(mantissa) * 10**d)
            if len(str(written)) > digits:
                continue
            read = math.copysign(written / 10**d * 10.0**power, value)
            if abs(read - value) <= tol:
                return True
    return False


magnitudes = st.floats(min_value=-9, max_value=9)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_an_integer_key_fits_with_a_spare_column(key: int) -> None:
    size = grid_size(float(key), integer=True)
    assert size.decimals == 0 and size.exp_digits == 0
    assert size.digits == len(str(abs(key))) + 1


@given(
    magnitudes,
    st.floats(min_value=1.0, max_value=9.999),
    st.sampled_from([1e-3, 1e-2, 1e-9]),
    st.sampled_from([0.0, 1e-12, 1e-6, 1e-4, 5e-4]),
    st.booleans(),
)
def test_a_real_key_can_be_written_within_its_tolerance(power, leading, rel_tol, abs_tol, negative) -> None:
    key = (-1 if negative else 1) * leading * 10.0 ** round(power)
    size = grid_size(key, rel_tol, abs_tol, integer=False)
    tol = max(abs_tol, rel_tol * abs(key), abs(key) * 5e-6)  # never asked for more than 6 significant digits
    assert writable(key, tol, size.digits, size.decimals, size.exp_digits)
    assert size.digits <= 9 and size.decimals <= 9  # one column of bubbles 0 … 9 for the decimals


def test_exponents_only_for_very_large_or_very_small_keys() -> None:
    assert grid_size(0.025, 1e-3, 5e-8, integer=False).exp_digits == 0
    assert grid_size(1234.5, 1e-3, 0, integer=False).exp_digits == 0
    assert grid_size(2.5e-4, 1e-3, 1e-9, integer=False).exp_digits == 2
    assert grid_size(3.2e7, 1e-3, 0, integer=False).exp_digits == 2
    assert grid_size(0.0, 1e-3, 1e-6, integer=False).exp_digits == 0
