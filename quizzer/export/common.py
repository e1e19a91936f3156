"""What an export contains: bank items (optionally of some topics) and a fixed set of generated instances.

Exports are plain data for other systems, so everything here is decided up front and reproducibly: the
same store, topics, count and seed give the same questions in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from quizzer.errors import BadParameters, NotFound, QuizzerError
from quizzer.quiz.question import (
    BankQuestion,
    GeneratedQuestion,
    Question,
    question_from_item,
    question_from_problem,
)
from quizzer.store.engine import Store
from quizzer.text import BiText


@dataclass(frozen=True)
class Exported:
    path: Path
    counts: dict[str, int]  # target question type → how many were written
    skipped: dict[str, int]  # why → how many questions could not be expressed in the format

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def collect(store: Store, *, topics: list[str] | None = None, count: int = 3, seed: int = 0) -> list[Question]:
    """Bank items of ``topics`` (all when None), then ``count`` instances of every family of those topics.

    Instance ``i`` of a family is drawn at its ``i``-th difficulty (cycling), so a few instances cover
    the easy and the hard end of a family.
    """
    from quizzer.bank.catalog import list_items
    from quizzer.generators.registry import all_families, instance_seed, make_problem
    from quizzer.topics import TOPIC_SLUGS

    wanted = list(dict.fromkeys(topics)) if topics else list(TOPIC_SLUGS)
    unknown = [t for t in wanted if t not in TOPIC_SLUGS]
    if unknown:
        raise BadParameters(f"unknown topic {unknown[0]!r}; topics are: {', '.join(TOPIC_SLUGS)}")
    questions: list[Question] = [
        question_from_item(r.item, r.version) for r in list_items(store) if r.item.topic in wanted
    ]
    for family in all_families():
        if family.topic not in wanted:
            continue
        for i in range(count):
            difficulty = family.difficulties[i % len(family.difficulties)]
            questions.append(
                question_from_problem(make_problem(family, instance_seed(family.name, seed, difficulty, i), difficulty))
            )
    if not questions:
        raise NotFound("nothing to export: no bank items or families match")
    return questions


def question_name(question: Question) -> str:
    """A stable, readable name: the bank id, or family, difficulty and instance seed."""
    ref = question.ref
    if ref.source == "bank":
        return ref.item_id or "item"
    return f"{ref.family}-d{ref.difficulty}-{ref.seed}"


def prompt_text(question: Question, lang: str) -> str:
    """The prompt, followed by its lettered options unless the format lays them out itself (choice answers)."""
    from quizzer.grading.kinds.base import ChoiceAnswer

    prompt = question.prompt.get(lang)
    if not question.options or (isinstance(question, BankQuestion) and isinstance(question.shape(), ChoiceAnswer)):
        return prompt
    lines = [
        f"{letter}. {option.get(lang)}" for letter, option in zip(question.letters, question.options, strict=False)
    ]
    return "\n".join([prompt, *lines])


def html_text(text: str) -> str:
    """Plain text as HTML: escaped, line breaks kept."""
    return escape(text, quote=False).replace("\n", "<br>\n")


def tolerance(question: Question) -> float:
    """The absolute tolerance that grades like quizzer does (for a single number), for systems that want one."""
    if isinstance(question, GeneratedQuestion):
        spec, answer = question.problem.spec, question.problem.answer
        if spec.kind == "int":
            return 0.0
        return max(spec.rel_tol * abs(float(answer)), spec.abs_tol)
    from quizzer.grading.kinds.base import NumberAnswer

    shape = question.shape()
    return shape.tolerance if isinstance(shape, NumberAnswer) else 0.0


def number_text(value: float) -> str:
    """A number as other systems read it: no thousands separators, no ×10^, enough digits."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.12g}"


def check_output(path: Path, *, force: bool) -> None:
    if not path.parent.is_dir():
        raise NotFound(f"{path.parent}: no such directory")
    if path.is_dir():
        raise QuizzerError(f"{path} is a directory; give a file name")
    if path.exists() and not force:
        raise QuizzerError(f"{path} exists; use --force to overwrite it")


@dataclass(frozen=True)
class Component:
    """One number of a several-number answer (shape, vector, record), with the mistakes that change it."""

    label: str
    value: float
    mistakes: tuple[tuple[float, BiText], ...]  # (wrong value, its diagnosis)


def components(question: GeneratedQuestion) -> list[Component]:
    problem = question.problem
    assert problem is not None and problem.spec.kind in ("shape", "vector", "record")
    spec = problem.spec
    wrongs: list[list[Any] | None]  # None: a mistake whose vector has another length changes no component
    if spec.kind == "record":
        labels = list(spec.fields or sorted(problem.answer))
        values = [problem.answer[k] for k in labels]
        wrongs = [[m.value[k] for k in labels] for m in problem.misconceptions]
    else:
        values = list(problem.answer)
        labels = [f"#{i + 1}" for i in range(len(values))]
        wrongs = [list(m.value) if len(m.value) == len(values) else None for m in problem.misconceptions]
    out = []
    for j, (label, value) in enumerate(zip(labels, values, strict=False)):
        mistakes = tuple(
            (w[j], m.diagnosis)
            for w, m in zip(wrongs, problem.misconceptions, strict=False)
            if w is not None and float(w[j]) != float(value)
        )
        out.append(Component(label, float(value), mistakes))
    return out


def component_tolerance(question: GeneratedQuestion, value: float) -> float:
    spec = question.problem.spec
    if spec.kind == "shape":
        return 0.0
    return max(spec.rel_tol * abs(value), spec.abs_tol)
