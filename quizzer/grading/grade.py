"""Grading: a parsed answer in, a verdict, a score and an explanation out.

Parsing happens first and may raise ``AnswerParseError`` (the caller asks
again); grading itself never raises for any parsed answer. This module holds the
``Result`` every grader returns and the grading of generated problems; each bank
item kind grades its own items in ``quizzer.grading.kinds``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, assert_never

from quizzer import messages as M
from quizzer.generators.base import Problem, fmt_shape
from quizzer.generators.serialize import format_answer
from quizzer.grading import parse
from quizzer.grading.numbers import accepted_range, check_number
from quizzer.text import BiText

GRADER_VERSION = "1"
Verdict = Literal["correct", "partial", "incorrect", "void"]
HINT_PENALTY = 0.25


@dataclass(frozen=True)
class Feedback:
    """One line of feedback; ``kind`` tells the renderer how to show it."""

    kind: Literal[
        "verdict", "info", "diagnosis", "why", "point-ok", "point-miss", "solution", "explanation", "correction"
    ]
    text: BiText


@dataclass
class Result:
    verdict: Verdict
    score: float
    expected: BiText
    parsed: Any = None
    diagnosis: str | None = None
    feedback: list[Feedback] = field(default_factory=list)

    def with_hints(self, hints_used: int) -> Result:
        """Each hint taken costs a quarter of the credit."""
        if hints_used:
            self.score = round(max(0.0, self.score * (1 - HINT_PENALTY * hints_used)), 4)
        return self


def jsonable(parsed: Any) -> Any:
    """A parsed answer as the JSON an attempt stores (``Result.parsed`` may hold numbers, lists, bools, strings)."""
    if isinstance(parsed, (str, int, float, bool)) or parsed is None:
        return parsed
    if isinstance(parsed, (list, tuple)):
        return [jsonable(v) for v in parsed]
    return str(parsed)


VERDICT_TEXT = {"correct": M.VERDICT_CORRECT, "partial": M.VERDICT_PARTIAL, "incorrect": M.VERDICT_INCORRECT}


def verdict_line(verdict: Verdict, extra: BiText | None = None) -> Feedback:
    text = VERDICT_TEXT[verdict]
    return Feedback("verdict", text + extra if extra else text)


# --- generated problems --------------------------------------------------------------------------


def parse_problem_answer(problem: Problem, raw: str) -> Any:
    spec = problem.spec
    match spec.kind:
        case "int" | "float":
            return parse.parse_number(raw)
        case "shape":
            return parse.parse_shape(raw)
        case "vector" | "record":
            values = parse.parse_vector(raw)
            expected = len(spec.fields) if spec.kind == "record" else len(problem.answer)
            if len(values) != expected:
                hint = spec.form() if spec.kind == "record" else parse.VECTOR_HINT
                raise parse.AnswerParseError(f"expected {expected} numbers, got {len(values)}", hint)
            return values
        case _:
            assert_never(spec.kind)


def _matches(problem: Problem, given: Any, truth: Any) -> tuple[bool, bool, str]:
    """(correct, exact, accepted range text) of ``given`` against ``truth`` under the problem's spec."""
    spec = problem.spec
    match spec.kind:
        case "int":
            check = check_number(given, float(truth), rel_tol=0, abs_tol=0, integer=True)
            return check.correct, check.exact, accepted_range(check)
        case "float":
            check = check_number(given, float(truth), rel_tol=spec.rel_tol, abs_tol=spec.abs_tol)
            return check.correct, check.exact, accepted_range(check)
        case "shape":
            return list(given) == list(truth), list(given) == list(truth), fmt_shape(truth)
        case "vector" | "record":
            values = [truth[k] for k in spec.fields] if spec.kind == "record" else list(truth)
            if len(given) != len(values):
                return False, False, ""
            checks = [
                check_number(g, float(t), rel_tol=spec.rel_tol, abs_tol=spec.abs_tol, integer=False)
                for g, t in zip(given, values, strict=False)
            ]
            ranges = ", ".join(accepted_range(c) for c in checks)
            return all(c.correct for c in checks), all(c.exact for c in checks), ranges
        case _:
            assert_never(spec.kind)


def _plain(parsed: Any) -> Any:
    if isinstance(parsed, parse.ParsedNumber):
        return parsed.value
    if isinstance(parsed, list):
        return [_plain(p) for p in parsed]
    return parsed


def grade_problem(problem: Problem, parsed: Any) -> Result:
    expected_text = format_answer(problem)
    expected = BiText(expected_text, expected_text)
    correct, exact, accepted = _matches(problem, parsed, problem.answer)
    result = Result("correct" if correct else "incorrect", 1.0 if correct else 0.0, expected, _plain(parsed))
    if correct:
        extra = None
        if not exact and problem.spec.kind in ("float", "vector", "record"):
            extra = M.MORE_PRECISELY.format(answer=expected_text)
        result.feedback.append(verdict_line("correct", extra))
    else:
        result.feedback.append(verdict_line("incorrect", M.THE_ANSWER_IS.format(answer=expected_text)))
        if problem.spec.kind in ("float", "vector", "record") and accepted:
            result.feedback.append(Feedback("info", M.ACCEPTED_RANGE.format(accepted=accepted)))
        for mistake in problem.misconceptions:
            if _matches(problem, parsed, mistake.value)[0]:
                result.diagnosis = mistake.tag
                result.feedback.append(Feedback("diagnosis", mistake.diagnosis))
                break
    result.feedback.append(Feedback("solution", problem.solution))
    return result


def problem_hints(problem: Problem) -> list[BiText]:
    """The family's graded hints: the concept, this problem's first step, then all but the final arithmetic."""
    return list(problem.hints)
