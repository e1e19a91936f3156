"""Grading: a parsed answer in, a verdict, a score and an explanation out.

Parsing happens first and may raise ``AnswerParseError`` (the caller asks
again); grading itself never raises for any parsed answer.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Literal

from quizzer.bank.schema import BankItem, FillItem, MultiItem, NumericItem, OpenItem, SingleItem, TrueFalseItem
from quizzer.generators.base import Problem, fmt, fmt_list, fmt_shape
from quizzer.generators.serialize import format_answer
from quizzer.grading import parse
from quizzer.grading.keypoints import coverage
from quizzer.grading.numbers import accepted_range, check_number
from quizzer.text import BiText

GRADER_VERSION = "1"
Verdict = Literal["correct", "partial", "incorrect", "void"]
HINT_PENALTY = 0.25
OPEN_CORRECT, OPEN_PARTIAL = 0.75, 0.35


@dataclass(frozen=True)
class Feedback:
    """One line of feedback; ``kind`` tells the renderer how to show it."""

    kind: Literal["verdict", "info", "diagnosis", "why", "point-ok", "point-miss", "solution", "explanation", "correction"]
    text: BiText


@dataclass
class Result:
    verdict: Verdict
    score: float
    expected: BiText
    parsed: Any = None
    diagnosis: str | None = None
    feedback: list[Feedback] = field(default_factory=list)

    def with_hints(self, hints_used: int) -> "Result":
        """Each hint taken costs a quarter of the credit."""
        if hints_used:
            self.score = round(max(0.0, self.score * (1 - HINT_PENALTY * hints_used)), 4)
        return self


VERDICT_TEXT = {
    "correct": BiText("正确", "Correct"),
    "partial": BiText("部分正确", "Partly correct"),
    "incorrect": BiText("不正确", "Incorrect"),
}


def _verdict_line(verdict: Verdict, extra: BiText | None = None) -> Feedback:
    text = VERDICT_TEXT[verdict]
    return Feedback("verdict", text + extra if extra else text)


# --- generated problems --------------------------------------------------------------------------


def parse_problem_answer(problem: Problem, raw: str) -> Any:
    kind = problem.spec.kind
    if kind in ("int", "float"):
        return parse.parse_number(raw)
    if kind == "shape":
        return parse.parse_shape(raw)
    if kind in ("vector", "record"):
        values = parse.parse_vector(raw)
        expected = len(problem.spec.fields) if kind == "record" else len(problem.answer)
        if len(values) != expected:
            hint = problem.spec.form() if kind == "record" else parse.VECTOR_HINT
            raise parse.AnswerParseError(f"expected {expected} numbers, got {len(values)}", hint)
        return values
    raise ValueError(f"unknown answer kind {kind!r}")


def _matches(problem: Problem, given: Any, truth: Any) -> tuple[bool, bool, str]:
    """(correct, exact, accepted range text) of ``given`` against ``truth`` under the problem's spec."""
    spec = problem.spec
    if spec.kind == "int":
        check = check_number(given, float(truth), rel_tol=0, abs_tol=0, integer=True)
        return check.correct, check.exact, accepted_range(check)
    if spec.kind == "float":
        check = check_number(given, float(truth), rel_tol=spec.rel_tol, abs_tol=spec.abs_tol)
        return check.correct, check.exact, accepted_range(check)
    if spec.kind == "shape":
        return list(given) == list(truth), list(given) == list(truth), fmt_shape(truth)
    values = [truth[k] for k in spec.fields] if spec.kind == "record" else list(truth)
    if len(given) != len(values):
        return False, False, ""
    checks = [check_number(g, float(t), rel_tol=spec.rel_tol, abs_tol=spec.abs_tol, integer=False) for g, t in zip(given, values)]
    ranges = ", ".join(accepted_range(c) for c in checks)
    return all(c.correct for c in checks), all(c.exact for c in checks), ranges


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
            extra = BiText(f"，更精确地说是 {expected_text}", f", more precisely {expected_text}")
        result.feedback.append(_verdict_line("correct", extra))
    else:
        result.feedback.append(_verdict_line("incorrect", BiText(f"：答案是 {expected_text}", f": the answer is {expected_text}")))
        if problem.spec.kind in ("float", "vector", "record") and accepted:
            result.feedback.append(Feedback("info", BiText(f"可接受范围：{accepted}", f"Accepted: {accepted}")))
        for mistake in problem.misconceptions:
            if _matches(problem, parsed, mistake.value)[0]:
                result.diagnosis = mistake.tag
                result.feedback.append(Feedback("diagnosis", mistake.diagnosis))
                break
    result.feedback.append(Feedback("solution", problem.solution))
    return result


def problem_hints(problem: Problem) -> list[BiText]:
    """The worked solution, one step (line) at a time."""
    zh, en = problem.solution.zh.splitlines(), problem.solution.en.splitlines()
    if len(zh) != len(en):
        return [problem.solution]
    return [BiText(z.strip(), e.strip()) for z, e in zip(zh, en) if z.strip()]


# --- bank items ----------------------------------------------------------------------------------


def parse_item_answer(item: BankItem, raw: str) -> Any:
    if isinstance(item, SingleItem):
        return parse.parse_choices(raw, len(item.options), multi=False)
    if isinstance(item, MultiItem):
        return parse.parse_choices(raw, len(item.options), multi=True)
    if isinstance(item, TrueFalseItem):
        return parse.parse_truefalse(raw)
    if isinstance(item, FillItem):
        return parse.parse_fill(raw)
    if isinstance(item, NumericItem):
        return parse.parse_number(raw)
    return parse.parse_open(raw)


def item_expected(item: BankItem) -> BiText:
    if isinstance(item, SingleItem):
        idx = string.ascii_uppercase.index(item.answer)
        return BiText(f"{item.answer}. {item.options[idx].text.zh}", f"{item.answer}. {item.options[idx].text.en}")
    if isinstance(item, MultiItem):
        return BiText("、".join(item.answer), ", ".join(item.answer))
    if isinstance(item, TrueFalseItem):
        return BiText("对" if item.answer else "错", "true" if item.answer else "false")
    if isinstance(item, FillItem):
        return BiText(" / ".join(item.accepted), " / ".join(item.accepted))
    if isinstance(item, NumericItem):
        text = fmt(item.value) + (f" {item.unit}" if item.unit else "")
        return BiText(text, text)
    return item.reference


def _choice_feedback(item: SingleItem | MultiItem, chosen: list[str], result: Result) -> None:
    correct = {item.answer} if isinstance(item, SingleItem) else set(item.answer)
    for letter in chosen:
        if letter not in correct:
            option = item.options[string.ascii_uppercase.index(letter)]
            result.feedback.append(Feedback("why", BiText(f"{letter} 错：{option.why.zh}", f"{letter} is wrong: {option.why.en}")))
    for letter in sorted(correct):
        option = item.options[string.ascii_uppercase.index(letter)]
        if letter in chosen:
            label = BiText(f"{letter} 对：", f"{letter} is right: ")
        elif isinstance(item, SingleItem):
            label = BiText(f"应选 {letter}：", f"The answer is {letter}: ")
        else:
            label = BiText(f"漏选 {letter}：", f"Missed {letter}: ")
        if letter not in chosen or result.verdict != "correct":
            result.feedback.append(Feedback("why", label + option.why))


def grade_item(item: BankItem, parsed: Any) -> Result:
    expected = item_expected(item)
    if isinstance(item, (SingleItem, MultiItem)):
        correct = {item.answer} if isinstance(item, SingleItem) else set(item.answer)
        right = len(correct & set(parsed))
        wrong = len(set(parsed) - correct)
        score = max(0.0, (right - wrong) / len(correct))
        verdict: Verdict = "correct" if score == 1.0 else ("partial" if score > 0 else "incorrect")
        result = Result(verdict, round(score, 4), expected, parsed)
        result.feedback.append(_verdict_line(verdict, BiText(f"（答案：{expected.zh}）", f" (answer: {expected.en})")))
        _choice_feedback(item, parsed, result)
    elif isinstance(item, TrueFalseItem):
        ok = parsed == item.answer
        result = Result("correct" if ok else "incorrect", 1.0 if ok else 0.0, expected, parsed)
        result.feedback.append(_verdict_line(result.verdict, BiText(f"（答案：{expected.zh}）", f" (answer: {expected.en})")))
    elif isinstance(item, FillItem):
        ok = parsed in {parse.fold_text(a).rstrip("。.") for a in item.accepted}
        result = Result("correct" if ok else "incorrect", 1.0 if ok else 0.0, expected, parsed)
        shown = " / ".join(item.accepted[:3]) + (" …" if len(item.accepted) > 3 else "")
        result.feedback.append(_verdict_line(result.verdict, BiText(f"（答案：{shown}）", f" (answer: {shown})")))
    elif isinstance(item, NumericItem):
        integer = item.tolerance == 0 and float(item.value).is_integer()
        check = check_number(parsed, item.value, rel_tol=0.0, abs_tol=item.tolerance, integer=integer)
        result = Result("correct" if check.correct else "incorrect", 1.0 if check.correct else 0.0, expected, parsed.value)
        if check.correct:
            extra = None if check.exact else BiText(f"，更精确地说是 {expected.zh}", f", more precisely {expected.en}")
            result.feedback.append(_verdict_line("correct", extra))
        else:
            result.feedback.append(_verdict_line("incorrect", BiText(f"：答案是 {expected.zh}", f": the answer is {expected.en}")))
            if not integer:
                rng = accepted_range(check)
                result.feedback.append(Feedback("info", BiText(f"可接受范围：{rng}", f"Accepted: {rng}")))
    else:
        assert isinstance(item, OpenItem)
        cov = coverage(parsed, item.key_points)
        verdict = "correct" if cov.score >= OPEN_CORRECT else ("partial" if cov.score >= OPEN_PARTIAL else "incorrect")
        result = Result(verdict, round(cov.score, 4), expected, parsed)
        n, got = len(cov.covered), sum(cov.covered)
        result.feedback.append(_verdict_line(verdict, BiText(f"：覆盖了 {got}/{n} 个要点", f": {got} of {n} key points covered")))
        for point, ok in zip(item.key_points, cov.covered):
            result.feedback.append(Feedback("point-ok" if ok else "point-miss", point.point))
        result.feedback.append(Feedback("info", BiText("参考答案：", "Reference answer: ") + item.reference))
    result.feedback.append(Feedback("explanation", item.explanation))
    if item.notes_correction:
        nc = item.notes_correction
        result.feedback.append(Feedback("correction", BiText("笔记原说法：", "The notes say: ") + nc.claim))
        result.feedback.append(Feedback("correction", BiText("正确的是：", "What is true: ") + nc.truth))
        result.feedback.append(Feedback("correction", BiText("原因：", "Why: ") + nc.why))
    return result


def item_hints(item: BankItem) -> list[BiText]:
    """Progressive hints that narrow the answer without stating it."""
    if isinstance(item, (SingleItem, MultiItem)):
        correct = {item.answer} if isinstance(item, SingleItem) else set(item.answer)
        hints = []
        for letter, option in zip(string.ascii_uppercase, item.options):
            if letter not in correct:
                hints.append(BiText(f"可以排除 {letter}：{option.why.zh}", f"You can rule out {letter}: {option.why.en}"))
        if isinstance(item, MultiItem):
            hints.insert(0, BiText(f"共有 {len(correct)} 个正确选项。", f"{len(correct)} options are correct."))
        return hints
    if isinstance(item, FillItem):
        first = item.accepted[0]
        return [BiText(f"答案有 {len(first)} 个字符，以“{first[0]}”开头。", f"The answer has {len(first)} characters and starts with “{first[0]}”.")]
    if isinstance(item, OpenItem):
        return [BiText(f"答出 {len(item.key_points)} 个要点；其中之一是：{p.point.zh}", f"Cover {len(item.key_points)} key points; one of them: {p.point.en}")
                for p in item.key_points[:2]]
    if isinstance(item, NumericItem):
        sentence_zh = item.explanation.zh.split("。")[0]
        sentence_en = item.explanation.en.split(". ")[0]
        return [BiText(f"思路：{sentence_zh}。", f"Approach: {sentence_en}.")]
    return []
