"""Problems as plain data (``gen --json``) and as plain text (``gen``); ``format_answer`` for every answer shown."""

from __future__ import annotations

from typing import Any

from quizzer import messages as msg
from quizzer.generators.base import Problem, fmt, fmt_list, fmt_shape
from quizzer.text import BiText


def format_answer(problem: Problem, answer: Any | None = None) -> str:
    value = problem.answer if answer is None else answer
    kind = problem.spec.kind
    if kind == "shape":
        return fmt_shape(value)
    if kind == "vector":
        return fmt_list(value)
    if kind == "record":
        return ", ".join(f"{name}={fmt(value[name])}" for name in problem.spec.fields or sorted(value))
    return fmt(value)


def problem_to_dict(problem: Problem, lang: str | None = None) -> dict[str, Any]:
    """A JSON-ready dict; with ``lang`` the texts are one language, otherwise both."""

    def text(t: Any) -> Any:
        return t.get(lang) if lang else t.as_dict()

    return {
        "family": problem.family,
        "topic": problem.topic,
        "difficulty": problem.difficulty,
        "seed": problem.seed,
        "params": problem.params,
        "prompt": text(problem.prompt),
        "answer_kind": problem.spec.kind,
        "answer": problem.answer,
        "solution": text(problem.solution),
        "misconceptions": [
            {"tag": m.tag, "value": m.value, "diagnosis": text(m.diagnosis)} for m in problem.misconceptions
        ],
    }


def problem_to_text(problem: Problem, lang: str, *, number: int | None = None, solutions: bool = True) -> str:
    """Plain text, identical on every terminal (no width-dependent wrapping)."""
    title = (msg.PROBLEM if number is None else msg.PROBLEM_NUMBERED.format(number=number)).get(lang)
    heading = f"{title} · {problem.family} · ★{problem.difficulty} · {msg.SEED.get(lang)} {problem.seed}"
    lines = [heading, problem.prompt.get(lang)]
    if problem.seed is not None:
        # The seed alone does not say which difficulty it was drawn at: give the whole command that redraws it.
        again = f"quizzer gen {problem.family} --seed {problem.seed} --difficulty {problem.difficulty}"
        lines.insert(1, (BiText("（重现：", "(reproduce: ") + BiText(f"{again}）", f"{again})")).get(lang))
    lines.append(f"{msg.label(msg.ANSWER_FORM, lang)}{problem.spec.form().get(lang)}")
    if solutions:
        lines.append(f"{msg.label(msg.ANSWER, lang)}{format_answer(problem)}")
        lines.append(msg.heading(msg.SOLUTION, lang))
        lines.extend("  " + line for line in problem.solution.get(lang).splitlines())
        if problem.misconceptions:
            lines.append(msg.heading(msg.TYPICAL_MISTAKES, lang))
            for m in problem.misconceptions:
                # A merged diagnosis lists its causes on lines of their own: indent them under their value.
                first, *more = m.diagnosis.get(lang).splitlines()
                lines.append(f"  {format_answer(problem, m.value)} ← {first}")
                lines.extend("    " + line for line in more)
    return "\n".join(lines)
