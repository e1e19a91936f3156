"""The one place families are found.

The CLI, the quiz, the exam builder (quizzer/exam) and the verifier all ask here.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import pkgutil
import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pydantic import ValidationError

from quizzer.errors import BadParameters, NotFound
from quizzer.generators.base import Family, P, Params, Problem, distinct_mistakes
from quizzer.text import BiText

_REGISTRY: dict[str, Family[Any]] = {}
F = TypeVar("F", bound="Family[Any]")
# One redraw limit for every family: acceptance checks and diagnosability share it.
MAX_RESAMPLES = 200
_LOADED = False


class DuplicateFamily(ValueError):
    pass


def register(cls: type[F]) -> type[F]:
    """Class decorator: instantiate the family and file it under its name."""
    name = cls.name
    if name in _REGISTRY:
        raise DuplicateFamily(
            f"problem family {name!r} is registered twice ({_REGISTRY[name].__class__.__module__} and {cls.__module__})"
        )
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


def all_families() -> list[Family[Any]]:
    """Every registered family, sorted by topic order then name."""
    _load_all()
    from quizzer.topics import TOPIC_SLUGS

    return sorted(_REGISTRY.values(), key=lambda f: (TOPIC_SLUGS.index(f.topic), f.name))


def get_family(name: str) -> Family[Any]:
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise NotFound(f"no problem family named {name!r}; {_suggest(name, sorted(_REGISTRY))}") from None


def _suggest(name: str, known: list[str]) -> str:
    """The nearest names as "did you mean …?" (a typo, or ``_`` for ``-``), else every name: one line either way."""
    spelled = name.replace("_", "-").lower()
    close = [spelled] if spelled in known else difflib.get_close_matches(spelled, known, n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(close)}? (all of them: quizzer families)"
    return f"known families: {', '.join(known)}"


def family_title(name: str) -> BiText:
    """A family's title in both languages; a name no longer registered (an old attempt's) stands for itself."""
    _load_all()
    family = _REGISTRY.get(name)
    return family.title if family is not None else BiText(name, name)


def instance_seed(family: str, seed: int, difficulty: int, index: int) -> int:
    """A per-instance seed that depends only on its inputs (stable across machines and runs)."""
    digest = hashlib.sha256(f"{family}|{seed}|{difficulty}|{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class NoAcceptableInstance(RuntimeError):
    """A family none of whose ``MAX_RESAMPLES`` draws is acceptable: a bug in the family, not in the input."""


def draws(
    family: Family[P], rng: random.Random, difficulty: int, acceptable: Callable[[P], bool] | None = None
) -> Iterator[P]:
    """The acceptable instances among ``MAX_RESAMPLES`` draws from ``rng``: the one redraw loop.

    A draw is rejected when its params fail their own validation (``sample`` may construct ill-posed
    params and let pydantic refuse them), the family's ``acceptable``, or the extra ``acceptable`` check.
    Raises ``NoAcceptableInstance`` if not one draw is accepted.
    """
    if difficulty not in family.difficulties:
        raise BadParameters(f"family {family.name!r} has difficulties {list(family.difficulties)}, not {difficulty}")
    accepted = 0
    last_error: ValidationError | None = None
    for _ in range(MAX_RESAMPLES):
        try:
            params = family.sample(rng, difficulty)
        except ValidationError as exc:
            last_error = exc
            continue
        if family.acceptable(params) and (acceptable is None or acceptable(params)):
            accepted += 1
            yield params
    if not accepted:
        why = f"; the last invalid draw: {last_error.errors()[0]['msg']}" if last_error else ""
        raise NoAcceptableInstance(
            f"family {family.name!r}: no acceptable instance in {MAX_RESAMPLES} draws at difficulty {difficulty}{why}"
        )


def sample_params(family: Family[P], seed: int, difficulty: int, acceptable: Callable[[P], bool] | None = None) -> P:
    """The first acceptable params a seed draws: what ``verify`` checks against torch."""
    return next(draws(family, random.Random(seed), difficulty, acceptable))


def make_problem(
    family: Family[P],
    seed: int,
    difficulty: int,
    acceptable: Callable[[P], bool] | None = None,
) -> Problem:
    """The problem a (family, instance seed, difficulty) triple always produces.

    Acceptable draws (see ``draws``) come deterministically from one seeded rng; the first whose
    misconceptions give at least two different wrong values the grader can tell apart from the answer
    is served, so that a wrong answer can be diagnosed rather than merely marked wrong. If none of the
    ``MAX_RESAMPLES`` draws manages that, the first acceptable one is served.
    """
    fallback: Problem | None = None
    for params in draws(family, random.Random(seed), difficulty, acceptable):
        problem = family.build(params, difficulty=difficulty, seed=seed)
        if distinct_mistakes(problem) >= 2:
            return problem
        fallback = fallback or problem
    assert fallback is not None  # draws() raises rather than accept nothing
    return fallback


def generate(name: str, *, count: int = 1, seed: int = 0, difficulty: int = 1) -> list[Problem]:
    """``count`` problems; the first is ``make_problem(seed)`` itself, the others derive their seeds from it.

    So the seed printed with any problem reproduces it: ``generate(name, seed=problem.seed, difficulty=…)`` starts
    with that very problem (and so does ``quizzer gen NAME --seed SEED -d DIFFICULTY``).
    """
    family = get_family(name)
    return [make_problem(family, problem_seed(name, seed, difficulty, i), difficulty) for i in range(count)]


def problem_seed(family: str, seed: int, difficulty: int, index: int) -> int:
    """The seed of problem ``index`` in a run started from ``seed``: the seed itself for the first problem."""
    return seed if index == 0 else instance_seed(family, seed, difficulty, index)


def parse_params(family: Family[Any], values: dict[str, Any]) -> Params:
    """Validate user-given parameters (strings from ``key=value`` or JSON) against the family's model."""
    model = family.params_model
    prepared: dict[str, Any] = {}
    for key, value in values.items():
        field = model.model_fields.get(key)
        if field is None:
            raise BadParameters(
                f"{family.name}: unknown parameter {key!r}; {_suggest_param(key, list(model.model_fields))}"
            )
        prepared[key] = _split_list(value, field.annotation)
    try:
        return model.model_validate(prepared)
    except ValidationError as exc:
        raise BadParameters(f"{family.name}: invalid parameters\n  " + "\n  ".join(_error_lines(model, exc))) from None


def _error_lines(model: type[Params], exc: ValidationError) -> list[str]:
    """One line per error; a union field (padding: int | 'same' | 'valid') gets one line for all its alternatives,
    saying what it accepts, instead of pydantic's line per alternative."""
    from quizzer.generators.describe import union_allowed

    lines: list[str] = []
    unions_said: set[str] = set()
    for err in exc.errors():
        loc = err["loc"]
        field = model.model_fields.get(str(loc[0])) if len(loc) > 1 else None
        allowed = union_allowed(field.annotation) if field is not None else None
        if allowed is not None:
            name = str(loc[0])
            if name not in unions_said:
                unions_said.add(name)
                lines.append(f"{name}: must be {allowed}, not {err['input']!r}")
            continue
        where = ".".join(str(p) for p in loc) or "(params)"
        lines.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return lines


def _suggest_param(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    return f"{hint}parameters are: {', '.join(names)}"


def _split_list(value: Any, annotation: Any) -> Any:
    """``milestones=30,80`` → ["30", "80"] when the field is a list or tuple."""
    if not isinstance(value, str):
        return value
    origin = getattr(annotation, "__origin__", None)
    text = repr(annotation)
    if origin in (list, tuple) or text.startswith(("list[", "tuple[", "typing.List", "typing.Tuple")):
        stripped = value.strip()
        if stripped[:1] + stripped[-1:] in ("[]", "()"):  # one enclosing pair only: 'res(…)' keeps its ')'
            stripped = stripped[1:-1]
        return [v.strip() for v in stripped.split(",") if v.strip()] if stripped else []
    return value
