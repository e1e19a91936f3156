"""The contract every bank question kind fulfils, and the pieces kinds share.

A kind module (one file in this package) defines the kind's pydantic item model, with
``kind: Literal["<name>"]``, and a ``BankKind`` subclass that knows how such an item is asked,
read, graded, hinted and shown; it lists its kind objects in a module-level ``KINDS`` tuple.
The package finds every kind module by itself, and ``quizzer.bank.items`` builds the bank
file's discriminated union from the models, so adding a kind touches one file (plus its tests).
"""

from __future__ import annotations

import string
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, TypeVar, get_args

from quizzer import messages as M
from quizzer.bank.schema import ItemBase
from quizzer.grading.grade import Result
from quizzer.text import BiText

ItemT = TypeVar("ItemT", bound=ItemBase)
ParsedT = TypeVar("ParsedT")


class HasZhEn(Protocol):
    """Bank text (``schema.Text``) and ``BiText`` alike."""

    @property
    def zh(self) -> str: ...

    @property
    def en(self) -> str: ...


def bi(text: HasZhEn) -> BiText:
    """A bank text as the ``BiText`` the quiz shows (a one-language text keeps its mark, see ``BiText.only``)."""
    return text if isinstance(text, BiText) else BiText(text.zh, text.en)


def letters(n: int) -> str:
    """The option letters of ``n`` options: A, B, C …"""
    return string.ascii_uppercase[:n]


def answer_note(expected: BiText) -> BiText:
    """``（答案：…）`` appended to a verdict line."""
    return M.ANSWER_NOTE.format(answer=expected)


@dataclass(frozen=True)
class ShownChoice:
    """One option as ``bank show`` lists it: marked when it is (part of) the answer."""

    letter: str
    text: BiText
    why: BiText
    correct: bool


@dataclass(frozen=True)
class ShownPoint:
    """One key point of a free-text answer with the keywords that show it was covered."""

    point: BiText
    keywords: BiText
    weight: float = 1.0


@dataclass(frozen=True)
class Reveal:
    """An item's answer as ``bank show`` prints it; the renderer styles these parts without knowing the kind."""

    answer: BiText
    choices: tuple[ShownChoice, ...] = ()  # printed between the prompt and the answer
    points: tuple[ShownPoint, ...] = ()  # printed after the answer


# --- an item's answer as other systems take it --------------------------------------------------------------------
# The exam sheets and keys and the exporters (Moodle XML, GIFT, Anki) lay out one of these shapes and never ask
# which kind produced it, so a new kind only says which shape its answer has.


@dataclass(frozen=True)
class ChoiceAnswer:
    """Lettered options, one (``several`` False) or several of them right; answers parse to option letters."""

    options: tuple[ShownChoice, ...]
    several: bool

    @property
    def correct(self) -> list[str]:
        return [c.letter for c in self.options if c.correct]


@dataclass(frozen=True)
class TrueFalseAnswer:
    value: bool


@dataclass(frozen=True)
class TextAnswer:
    """A short text; any of ``accepted`` is right."""

    accepted: tuple[str, ...]


@dataclass(frozen=True)
class NumberAnswer:
    value: float
    tolerance: float  # absolute
    unit: str | None = None


@dataclass(frozen=True)
class EssayAnswer:
    """Prose, judged against a reference answer and its key points."""

    reference: BiText
    points: tuple[ShownPoint, ...]


AnswerShape = ChoiceAnswer | TrueFalseAnswer | TextAnswer | NumberAnswer | EssayAnswer


class BankKind(ABC, Generic[ItemT, ParsedT]):
    """One kind of bank question: everything the quiz, the grader and ``bank show`` do with its items.

    ``parse`` raises ``AnswerParseError`` (with a hint) for text it cannot read; ``grade`` never raises
    for a parsed answer and returns the kind-specific verdict and feedback (the explanation and any
    correction of the notes are added for every kind by ``quizzer.grading.kinds.grade_item``).
    """

    model: type[ItemT]  # the pydantic item model; its ``kind`` Literal is the kind's name
    order: ClassVar[int]  # where the kind sits in lists and tables (bank stats columns, error messages)
    title: ClassVar[BiText]  # the kind as the quiz header names it
    form: ClassVar[BiText]  # the expected answer form, shown under the prompt
    # Whether the learner rates their own answer after grading (key-point grading of prose is coarse).
    self_rated: ClassVar[bool] = False
    short: ClassVar[str | None] = None  # a narrower column header than the name, for ``bank stats``

    @property
    def name(self) -> str:
        return kind_name(self.model)

    def options(self, item: ItemT) -> tuple[BiText, ...]:
        """The lettered options shown under the prompt (none for most kinds)."""
        return ()

    def answer_form(self, item: ItemT) -> BiText:
        return self.form

    @abstractmethod
    def parse(self, item: ItemT, raw: str) -> ParsedT:
        """The answer ``raw`` as a value ``grade`` accepts; raises AnswerParseError when unreadable."""

    @abstractmethod
    def grade(self, item: ItemT, parsed: ParsedT) -> Result:
        """The verdict, score and kind-specific feedback of a parsed answer."""

    @abstractmethod
    def expected(self, item: ItemT) -> BiText:
        """The correct answer as feedback states it."""

    @abstractmethod
    def hints(self, item: ItemT) -> list[BiText]:
        """Progressive hints that narrow the answer down without stating it."""

    def missing_hint(self, item: ItemT) -> bool:
        """Whether the item lacks a hint its author should write (``bank validate`` warns); most kinds derive theirs."""
        return False

    @abstractmethod
    def reveal(self, item: ItemT) -> Reveal:
        """The answer with everything a teacher checking the item wants to see."""

    @abstractmethod
    def shape(self, item: ItemT) -> AnswerShape:
        """The answer in the neutral form exam sheets and exporters lay out."""

    def reordered(self, item: ItemT, order: list[int]) -> ItemT:
        """The item with its options in ``order`` (``order[i]`` = index of the option shown i-th) and its answer
        renamed to match; raises ValueError when ``order`` is not an order of the options. Kinds without options
        have nothing to reorder."""
        return item


def kind_name(model: type[ItemBase]) -> str:
    """The ``kind`` value a model accepts, read from its ``Literal`` annotation."""
    names = get_args(model.model_fields["kind"].annotation)
    if len(names) != 1 or not isinstance(names[0], str):
        raise TypeError(f"{model.__name__}.kind must be a Literal of one name, got {names!r}")
    return names[0]
