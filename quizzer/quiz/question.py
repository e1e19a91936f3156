"""Questions: bank items and generated problems behind one interface.

``Question`` is the union the quiz loop, the session, the exam builder and the exporters
take: both variants have the same attributes (``ref``, ``topic``, ``kind``, ``difficulty``,
``prompt``, ``form``, ``options``, ``letters``) and methods (``parse``, ``grade``, ``hints``,
``expected``). Code that needs what is behind a question narrows it with ``isinstance``:
a ``BankQuestion`` has its ``item`` and ``item_version``, a ``GeneratedQuestion`` its ``problem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, assert_never

from quizzer.bank.schema import BankItem
from quizzer.generators.base import Problem
from quizzer.generators.serialize import format_answer
from quizzer.grading import kinds
from quizzer.grading.grade import Result, grade_problem, parse_problem_answer, problem_hints
from quizzer.grading.kinds.base import AnswerShape, bi, letters
from quizzer.text import BiText

# A generated problem is asked like a numeric bank item: same kind in the history, same name in the header.
GENERATED_KIND = "numeric"


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
        match self.source:
            case "bank":
                return f"bank:{self.item_id}"
            case "generated":
                return f"gen:{self.family}:{self.difficulty}:{self.seed}"
            case _:
                assert_never(self.source)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> QuestionRef:
        return QuestionRef(**data)


class _Shared:
    """What both variants answer the same way unless they say otherwise."""

    @property
    def options(self) -> tuple[BiText, ...]:
        return ()

    @property
    def letters(self) -> str:
        """The letters of the options, A, B, C … (empty when there are none)."""
        return letters(len(self.options))

    @property
    def self_rated(self) -> bool:
        """Whether the learner is asked to rate their own answer after seeing the grade."""
        return False


@dataclass(frozen=True)
class BankQuestion(_Shared):
    """A bank item (at a stored version), asked and graded the way its kind says."""

    item: BankItem
    item_version: int

    @property
    def _kind(self) -> kinds.AnyKind:
        return kinds.kind_of(self.item)

    @property
    def ref(self) -> QuestionRef:
        return QuestionRef("bank", item_id=self.item.id)

    @property
    def topic(self) -> str:
        return self.item.topic

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def kind_title(self) -> BiText:
        return self._kind.title

    @property
    def self_rated(self) -> bool:
        return self._kind.self_rated

    @property
    def difficulty(self) -> int:
        return self.item.difficulty

    @property
    def prompt(self) -> BiText:
        return bi(self.item.prompt)

    @property
    def form(self) -> BiText:
        return self._kind.answer_form(self.item)

    @property
    def options(self) -> tuple[BiText, ...]:
        return self._kind.options(self.item)

    def parse(self, raw: str) -> Any:
        """The parsed answer; raises AnswerParseError (with a hint) when it cannot be read."""
        return kinds.parse_item_answer(self.item, raw)

    def grade(self, parsed: Any) -> Result:
        return kinds.grade_item(self.item, parsed)

    def hints(self) -> list[BiText]:
        return kinds.item_hints(self.item)

    def expected(self) -> BiText:
        return kinds.item_expected(self.item)

    def shape(self) -> AnswerShape:
        """The answer in the neutral form exam sheets and exporters lay out (see ``kinds.base.AnswerShape``)."""
        return kinds.item_shape(self.item)


@dataclass(frozen=True)
class GeneratedQuestion(_Shared):
    """A generated numeric problem, graded against its answer spec and diagnosed by its misconceptions."""

    problem: Problem

    @property
    def ref(self) -> QuestionRef:
        p = self.problem
        return QuestionRef("generated", family=p.family, difficulty=p.difficulty, seed=p.seed)

    @property
    def topic(self) -> str:
        return self.problem.topic

    @property
    def kind(self) -> str:
        return GENERATED_KIND

    @property
    def kind_title(self) -> BiText:
        return kinds.REGISTRY[GENERATED_KIND].title

    @property
    def difficulty(self) -> int:
        return self.problem.difficulty

    @property
    def prompt(self) -> BiText:
        return self.problem.prompt

    @property
    def form(self) -> BiText:
        return self.problem.spec.form()

    def parse(self, raw: str) -> Any:
        """The parsed answer; raises AnswerParseError (with a hint) when it cannot be read."""
        return parse_problem_answer(self.problem, raw)

    def grade(self, parsed: Any) -> Result:
        return grade_problem(self.problem, parsed)

    def hints(self) -> list[BiText]:
        return problem_hints(self.problem)

    def expected(self) -> BiText:
        text = format_answer(self.problem)
        return BiText(text, text)


Question = BankQuestion | GeneratedQuestion


def question_from_item(item: BankItem, version: int) -> BankQuestion:
    return BankQuestion(item, version)


def question_from_problem(problem: Problem) -> GeneratedQuestion:
    return GeneratedQuestion(problem)
