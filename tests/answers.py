"""What a learner who knows (or does not know) the answer would type, for driving quizzes in tests."""

from __future__ import annotations

from quizzer.generators.base import fmt
from quizzer.quiz.question import GeneratedQuestion, Question


def right_answer(q: Question) -> str:
    if isinstance(q, GeneratedQuestion):
        answer, spec = q.problem.answer, q.problem.spec
        if spec.kind == "record":
            return ", ".join(fmt(answer[f], 12) for f in spec.fields)
        if spec.kind in ("shape", "vector"):
            return "[" + ", ".join(fmt(v, 12) for v in answer) + "]"
        return fmt(answer, 12)
    item = q.item
    if q.kind == "open":
        return " ".join(k for p in item.key_points for k in p.keywords.en)
    if q.kind == "single":
        return item.answer
    if q.kind == "multi":
        return ",".join(item.answer)
    if q.kind == "truefalse":
        return "true" if item.answer else "false"
    if q.kind == "fill":
        return item.accepted[0]
    return repr(item.value)


def wrong_answer(q: Question) -> str:
    if isinstance(q, GeneratedQuestion):
        answer, spec = q.problem.answer, q.problem.spec
        if spec.kind == "record":
            return ", ".join(fmt(answer[f] * 3 + 7, 12) for f in spec.fields)
        if spec.kind in ("shape", "vector"):
            return "[" + ", ".join(fmt(v * 3 + 7, 12) for v in answer) + "]"
        return fmt(answer * 3 + 7, 12)
    item = q.item
    if q.kind == "open":
        return "I do not know."
    if q.kind == "single":
        return next(c for c in q.letters if c != item.answer)
    if q.kind == "multi":
        return next(c for c in q.letters if c not in item.answer)
    if q.kind == "truefalse":
        return "false" if item.answer else "true"
    if q.kind == "fill":
        return "zzzz"
    return repr(item.value * 3 + 7)


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
