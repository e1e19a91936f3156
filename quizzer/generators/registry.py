"""The one place families are found.

The CLI, the quiz, the exam builder (quizzer/exam) and the verifier all ask here.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import random
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from quizzer.errors import BadParameters, NotFound
from quizzer.generators.base import Family, Params, Problem

_REGISTRY: dict[str, Family] = {}
# One redraw limit for every family: acceptance checks and diagnosability share it.
MAX_RESAMPLES = 200
_LOADED = False


class DuplicateFamily(ValueError):
    pass


def register(cls: type[Family]) -> type[Family]:
    """Class decorator: instantiate the family and file it under its name."""
    name = cls.name
    if name in _REGISTRY:
        raise DuplicateFamily(f"problem family {name!r} is registered twice ({_REGISTRY[name].__class__.__module__} and {cls.__module__})")
    _REGISTRY[name] = cls()
    return cls


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    from quizzer.generators import families

    for info in sorted(pkgutil.iter_modules(families.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{families.__name__}.{info.name}")
    _LOADED = True


def all_families() -> list[Family]:
    """Every registered family, sorted by topic order then name."""
    _load_all()
    from quizzer.topics import TOPIC_SLUGS

    return sorted(_REGISTRY.values(), key=lambda f: (TOPIC_SLUGS.index(f.topic), f.name))


def get_family(name: str) -> Family:
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise NotFound(f"no problem family named {name!r}; known families: {known}") from None


def instance_seed(family: str, seed: int, difficulty: int, index: int) -> int:
    """A per-instance seed that depends only on its inputs (stable across machines and runs)."""
    digest = hashlib.sha256(f"{family}|{seed}|{difficulty}|{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def make_problem(
    family: Family[Any],
    seed: int,
    difficulty: int,
    acceptable: Callable[[Any], bool] | None = None,
) -> Problem:
    """The problem a (family, instance seed, difficulty) triple always produces.

    Draws are redrawn (deterministically: the same seeded rng goes on) until the instance passes the
    family's own ``acceptable`` check, the optional extra ``acceptable`` check, and at least two typical
    mistakes give values the grader can tell apart from the answer, so that a wrong answer can be
    diagnosed rather than merely marked wrong. After ``MAX_RESAMPLES`` draws the last acceptable one
    is kept; a family none of whose draws is acceptable is a bug, reported as such.
    """
    if difficulty not in family.difficulties:
        raise BadParameters(f"family {family.name!r} has difficulties {list(family.difficulties)}, not {difficulty}")
    rng = random.Random(seed)
    fallback: Problem | None = None
    for _ in range(MAX_RESAMPLES):
        params = family.sample(rng, difficulty)
        if not family.acceptable(params) or (acceptable is not None and not acceptable(params)):
            continue
        problem = family.build(params, difficulty=difficulty, seed=seed)
        if len(problem.misconceptions) >= 2:
            return problem
        fallback = fallback or problem
    if fallback is None:
        raise RuntimeError(f"family {family.name!r}: no acceptable instance in {MAX_RESAMPLES} draws (seed {seed})")
    return fallback


def generate(name: str, *, count: int = 1, seed: int = 0, difficulty: int = 1) -> list[Problem]:
    family = get_family(name)
    return [make_problem(family, instance_seed(name, seed, difficulty, i), difficulty) for i in range(count)]


def parse_params(family: Family, values: dict[str, Any]) -> Params:
    """Validate user-given parameters (strings from ``key=value`` or JSON) against the family's model."""
    model = family.params_model
    prepared: dict[str, Any] = {}
    for key, value in values.items():
        field = model.model_fields.get(key)
        if field is None:
            allowed = ", ".join(model.model_fields)
            raise BadParameters(f"{family.name}: unknown parameter {key!r}; parameters are: {allowed}")
        prepared[key] = _split_list(value, field.annotation)
    try:
        return model.model_validate(prepared)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(params)"
            lines.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
        raise BadParameters(f"{family.name}: invalid parameters\n  " + "\n  ".join(lines)) from None


def _split_list(value: Any, annotation: Any) -> Any:
    """``milestones=30,80`` → ["30", "80"] when the field is a list or tuple."""
    if not isinstance(value, str):
        return value
    origin = getattr(annotation, "__origin__", None)
    text = repr(annotation)
    if origin in (list, tuple) or text.startswith(("list[", "tuple[", "typing.List", "typing.Tuple")):
        stripped = value.strip().strip("[]()")
        return [v.strip() for v in stripped.split(",") if v.strip()] if stripped else []
    return value
