"""Working a family on typed-in parameters, as `quizzer solve` does: shared by the per-group family tests."""

from __future__ import annotations

from typing import Any

from quizzer.generators.base import Params
from quizzer.generators.registry import get_family, parse_params


def params(name: str, **values: Any) -> Params:
    """The validated params for ``values`` (strings as typed on the command line, or plain values)."""
    return parse_params(get_family(name), values)


def solve(name: str, **values: Any) -> Any:
    """The closed-form answer."""
    return get_family(name).solve(params(name, **values))


def verify(name: str, **values: Any) -> Any:
    """torch's answer for the same instance."""
    return get_family(name).verify(params(name, **values))


def solve_both(name: str, **values: Any) -> tuple[Any, Any]:
    """(closed form, torch), so that a known value checks both at once."""
    p = params(name, **values)
    family = get_family(name)
    return family.solve(p), family.verify(p)
