"""Problems as plain data (for --json, the store and exam manifests) and as plain text."""

from __future__ import annotations

from typing import Any

from quizzer.generators.base import Problem, fmt, fmt_list, fmt_shape


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
    head = {"zh": "题", "en": "Problem"}[lang]
    labels = {
        "zh": ("答案形式", "答案", "解答", "常见错误"),
        "en": ("Answer form", "Answer", "Solution", "Typical mistakes"),
    }[lang]
    title = f"{head} {number}" if number is not None else head
    lines = [f"{title} · {problem.family} · ★{problem.difficulty} · seed {problem.seed}", problem.prompt.get(lang)]
    lines.append(f"{labels[0]}: {problem.spec.form().get(lang)}")
    if solutions:
        lines.append(f"{labels[1]}: {format_answer(problem)}")
        lines.append(f"{labels[2]}:")
        lines.extend("  " + line for line in problem.solution.get(lang).splitlines())
        if problem.misconceptions:
            lines.append(f"{labels[3]}:")
            for m in problem.misconceptions:
                lines.append(f"  {format_answer(problem, m.value)} ← {m.diagnosis.get(lang)}")
    return "\n".join(lines)
