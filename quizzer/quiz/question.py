"""One Question type for bank items and generated problems alike.

The quiz loop, the exam builder and the exporters take Questions and never
care where they came from.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Literal

from quizzer.bank.schema import BankItem
from quizzer.generators.base import Problem
from quizzer.grading import grade, kinds
from quizzer.grading.kinds.base import bi
from quizzer.text import BiText


@dataclass(frozen=True)
class QuestionRef:
    """What a session's plan stores: enough to rebuild the question exactly."""

    source: Literal["bank", "generated"]
    item_id: str | None = None
    family: str | None = None
    difficulty: int | None = None
    seed: int | None = None

    @property
    def key(self) -> str:
        if self.source == "bank":
            return f"bank:{self.item_id}"
        return f"gen:{self.family}:{self.difficulty}:{self.seed}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "QuestionRef":
        return QuestionRef(**data)


@dataclass(frozen=True)
class Question:
    ref: QuestionRef
    topic: str
    kind: str  # a bank kind, or "numeric" for generated problems
    difficulty: int
    prompt: BiText
    form: BiText
    options: tuple[BiText, ...] = ()
    item: BankItem | None = None
    item_version: int | None = None
    problem: Problem | None = None

    @staticmethod
    def from_item(item: BankItem, version: int) -> "Question":
        kind = kinds.kind_of(item)
        return Question(
            ref=QuestionRef("bank", item_id=item.id),
            topic=item.topic,
            kind=item.kind,
            difficulty=item.difficulty,
            prompt=bi(item.prompt),
            form=kind.answer_form(item),
            options=kind.options(item),
            item=item,
            item_version=version,
        )

    @staticmethod
    def from_problem(problem: Problem) -> "Question":
        return Question(
            ref=QuestionRef("generated", family=problem.family, difficulty=problem.difficulty, seed=problem.seed),
            topic=problem.topic,
            kind="numeric",
            difficulty=problem.difficulty,
            prompt=problem.prompt,
            form=problem.spec.form(),
            problem=problem,
        )

    @property
    def letters(self) -> str:
        return string.ascii_uppercase[: len(self.options)]

    def parse(self, raw: str) -> Any:
        """The parsed answer; raises AnswerParseError (with a hint) when it cannot be read."""
        if self.problem is not None:
            return grade.parse_problem_answer(self.problem, raw)
        assert self.item is not None
        return kinds.parse_item_answer(self.item, raw)

    def grade(self, parsed: Any) -> grade.Result:
        if self.problem is not None:
            return grade.grade_problem(self.problem, parsed)
        assert self.item is not None
        return kinds.grade_item(self.item, parsed)

    def hints(self) -> list[BiText]:
        if self.problem is not None:
            return grade.problem_hints(self.problem)
        assert self.item is not None
        return kinds.item_hints(self.item)
