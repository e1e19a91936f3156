"""What a learner who knows (or does not know) the answer would type, for driving quizzes in tests."""

from __future__ import annotations

from collections.abc import Callable

from quizzer.generators.base import fmt
from quizzer.quiz.question import BankQuestion, GeneratedQuestion, Question

# What a learner types for a bank item, per kind, worked out from the item's own fields (never by the grader).
RIGHT: dict[str, Callable[[BankQuestion], str]] = {
    "single": lambda q: q.item.answer,
    "multi": lambda q: ",".join(q.item.answer),
    "truefalse": lambda q: "true" if q.item.answer else "false",
    "fill": lambda q: q.item.accepted[0],
    "numeric": lambda q: repr(q.item.value),
    # One clause per keyword, and the corrected facts a point requires besides its keywords.
    "open": lambda q: ". ".join(k for p in q.item.key_points for g in (p.keywords, *p.requires) for k in g.en),
}
WRONG: dict[str, Callable[[BankQuestion], str]] = {
    "single": lambda q: next(c for c in q.letters if c != q.item.answer),
    "multi": lambda q: next(c for c in q.letters if c not in q.item.answer),
    "truefalse": lambda q: "false" if q.item.answer else "true",
    "fill": lambda q: "zzzz",
    "numeric": lambda q: repr(q.item.value * 3 + 7),
    "open": lambda q: "I do not know.",
}


def _for_kind(table: dict[str, Callable[[BankQuestion], str]], q: BankQuestion) -> str:
    if q.kind not in table:
        raise AssertionError(f"tests/answers.py has no {q.kind!r} answers yet: add them with the kind's tests")
    return table[q.kind](q)


def right_answer(q: Question) -> str:
    if isinstance(q, GeneratedQuestion):
        answer, spec = q.problem.answer, q.problem.spec
        if spec.kind == "record":
            return ", ".join(fmt(answer[f], 12) for f in spec.fields)
        if spec.kind in ("shape", "vector"):
            return "[" + ", ".join(fmt(v, 12) for v in answer) + "]"
        return fmt(answer, 12)
    return _for_kind(RIGHT, q)


def wrong_answer(q: Question) -> str:
    if isinstance(q, GeneratedQuestion):
        answer, spec = q.problem.answer, q.problem.spec
        if spec.kind == "record":
            return ", ".join(fmt(answer[f] * 3 + 7, 12) for f in spec.fields)
        if spec.kind in ("shape", "vector"):
            return "[" + ", ".join(fmt(v * 3 + 7, 12) for v in answer) + "]"
        return fmt(answer * 3 + 7, 12)
    return _for_kind(WRONG, q)


def mistaken_answer(q: Question) -> str:
    """The value a typical mistake produces (generated problems), so the grader can diagnose it."""
    if not isinstance(q, GeneratedQuestion) or not q.problem.misconceptions:
        return wrong_answer(q)
    value, spec = q.problem.misconceptions[0].value, q.problem.spec
    if spec.kind == "record":
        return ", ".join(fmt(value[f], 12) for f in spec.fields)
    if spec.kind in ("shape", "vector"):
        return "[" + ", ".join(fmt(v, 12) for v in value) + "]"
    return fmt(value, 12)
