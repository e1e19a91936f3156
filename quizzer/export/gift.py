"""GIFT, Moodle's plain-text question format.

GIFT gives meaning to ``~ = # { } :`` (and ``\\`` escapes them), so every text written here — prompts,
options, feedback, names — is passed through ``gift_escape``. Texts are marked ``[html]`` and HTML-escaped
first, so line breaks survive as ``<br>`` (a blank line would end the question).

GIFT has no question with several numeric blanks, so a generated problem whose answer is a list or a
record is left out (and counted as such); a shape becomes a short answer with its usual spellings.
"""

from __future__ import annotations

from pathlib import Path
from typing import assert_never

from quizzer import messages as M
from quizzer.export.common import (
    Exported,
    check_output,
    html_text,
    number_text,
    prompt_text,
    question_name,
    tolerance,
)
from quizzer.grading.kinds.base import ChoiceAnswer, EssayAnswer, NumberAnswer, TextAnswer, TrueFalseAnswer
from quizzer.quiz.question import GeneratedQuestion, Question

SPECIAL = "\\~=#{}:"


def gift_escape(text: str) -> str:
    """``text`` with every GIFT special character backslash-escaped (the backslash itself first)."""
    return "".join("\\" + c if c in SPECIAL else c for c in text)


def gift_unescape(text: str) -> str:
    """The inverse of ``gift_escape`` (what Moodle's parser does with ``\\x``)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in SPECIAL:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _html(text: str) -> str:
    return gift_escape(html_text(text).replace("\n", ""))


def _feedback(text: str) -> str:
    return f"#{_html(text)}" if text else ""


def _general(question: Question, lang: str) -> str:
    if isinstance(question, GeneratedQuestion):
        return _html(question.problem.solution.get(lang))
    return _html(question.item.explanation.get(lang))


def _answers(question: Question, lang: str) -> tuple[str, str] | None:
    """(answer block, GIFT type name), or None when the question cannot be written in GIFT."""
    if isinstance(question, GeneratedQuestion):
        problem = question.problem
        if problem.spec.kind in ("int", "float"):
            tol = number_text(tolerance(question))
            parts = [f"={number_text(problem.answer)}:{tol}"]
            seen = {float(problem.answer)}
            for mistake in problem.misconceptions:
                if float(mistake.value) not in seen:
                    seen.add(float(mistake.value))
                    parts.append(f"=%0%{number_text(mistake.value)}:{tol}{_feedback(mistake.diagnosis.get(lang))}")
            return "#" + " ".join(parts), "numerical"
        if problem.spec.kind == "shape":
            dims = [str(int(v)) for v in problem.answer]
            spellings = dict.fromkeys(
                [
                    "(" + ", ".join(dims) + ")",
                    "(" + ",".join(dims) + ")",
                    "x".join(dims),
                    "×".join(dims),
                    " x ".join(dims),
                ]
            )
            return " ".join(f"={gift_escape(s)}" for s in spellings), "shortanswer"
        return None
    shape = question.shape()
    match shape:
        case ChoiceAnswer():
            right = len(shape.correct)
            parts = []
            for option in shape.options:
                text, why = _html(option.text.get(lang)), _feedback(option.why.get(lang))
                if not shape.several:
                    parts.append(f"{'=' if option.correct else '~'}{text}{why}")
                else:  # quizzer's partial credit: each right option +1/k, each wrong one -1/k
                    weight = 100 / right * (1 if option.correct else -1)
                    parts.append(f"~%{weight:.7g}%{text}{why}")
            return "\n".join(parts), "multichoice-multi" if shape.several else "multichoice-single"
        case TrueFalseAnswer():
            # {TRUE#feedback for a wrong answer#feedback for a right one}
            why = _html(question.item.explanation.get(lang))
            return f"{'TRUE' if shape.value else 'FALSE'}#{why}#{why}", "truefalse"
        case TextAnswer():
            return " ".join(f"={gift_escape(a)}" for a in shape.accepted), "shortanswer"
        case NumberAnswer():
            return f"#{number_text(shape.value)}:{number_text(shape.tolerance)}", "numerical"
        case EssayAnswer():
            return "", "essay"
        case _:
            assert_never(shape)


def to_gift(questions: list[Question], lang: str) -> tuple[str, dict[str, int], dict[str, int]]:
    blocks: list[str] = []
    counts: dict[str, int] = {}
    skipped: dict[str, int] = {}
    category = None
    for question in questions:
        written = _answers(question, lang)
        if written is None:
            reason = M.EXPORT_SEVERAL_NUMBERS.get(lang)
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        answers, kind = written
        if question.topic != category:
            category = question.topic
            blocks.append(f"$CATEGORY: $course$/top/quizzer/{category}")
        name = gift_escape(question_name(question))
        prompt = _html(prompt_text(question, lang))
        # No blank line anywhere inside a question: GIFT ends a question at a blank line (an essay has no answers).
        body = "\n".join(part for part in (answers, f"####{_general(question, lang)}") if part)
        blocks.append(f"::{name}::[html]{prompt}{{\n{body}\n}}")
        counts[kind] = counts.get(kind, 0) + 1
    return "\n\n".join(blocks) + "\n", counts, skipped


def write_gift(questions: list[Question], path: Path, lang: str, *, force: bool = False) -> Exported:
    check_output(path, force=force)
    text, counts, skipped = to_gift(questions, lang)
    path.write_text(text, encoding="utf-8")
    return Exported(path, counts, skipped)
