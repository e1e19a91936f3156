"""One Question type for bank items and generated problems alike.

The quiz loop, the exam builder and the exporters take Questions and never
care where they came from.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Literal

from quizzer.bank.schema import BankItem, MultiItem, SingleItem
from quizzer.generators.base import Problem
from quizzer.grading import grade
from quizzer.text import BiText

KIND_FORMS = {
    "single": BiText("一个选项字母", "one option letter"),
    "multi": BiText("一个或多个选项字母，如 AC", "one or more option letters, e.g. AC"),
    "truefalse": BiText("对 / 错", "true / false"),
    "fill": BiText("简短的词或短语", "a short word or phrase"),
    "numeric": BiText("一个数", "a number"),
    "open": BiText("用几句话作答（按要点评分）", "a few sentences (graded by key points)"),
}


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
        options: tuple[BiText, ...] = ()
        if isinstance(item, (SingleItem, MultiItem)):
            options = tuple(BiText(o.text.zh, o.text.en) for o in item.options)
        form = KIND_FORMS[item.kind]
        if item.kind == "numeric" and getattr(item, "unit", None):
            form = form + BiText(f"（单位：{item.unit}）", f" (unit: {item.unit})")
        return Question(
            ref=QuestionRef("bank", item_id=item.id),
            topic=item.topic,
            kind=item.kind,
            difficulty=item.difficulty,
            prompt=BiText(item.prompt.zh, item.prompt.en),
            form=form,
            options=options,
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
        return grade.parse_item_answer(self.item, raw)

    def grade(self, parsed: Any) -> grade.Result:
        if self.problem is not None:
            return grade.grade_problem(self.problem, parsed)
        assert self.item is not None
        return grade.grade_item(self.item, parsed)

    def hints(self) -> list[BiText]:
        if self.problem is not None:
            return grade.problem_hints(self.problem)
        assert self.item is not None
        return grade.item_hints(self.item)


# The module-level constructors the exam builder uses (kept when Question is split into bank and generated kinds).
def question_from_item(item: BankItem, version: int) -> Question:
    return Question.from_item(item, version)


def question_from_problem(problem: Problem) -> Question:
    return Question.from_problem(problem)
