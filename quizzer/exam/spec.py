"""The exam spec a teacher writes (YAML): title, instructions, time allowed, sections of draws.

Read with the bank loader's safe YAML reader (no aliases, no tags, size cap, line map), validated by pydantic
with ``extra="forbid"``, and every problem reported as ``file:line: field: message``.

    title: {zh: 深度学习基础 小测, en: Deep learning basics quiz}   # or one string for both languages
    instructions: {zh: …, en: …}
    time_minutes: 45
    sections:
      - title: {zh: 一、概念, en: "Part 1: concepts"}
        draws:
          - {source: bank, topics: [pooling], kinds: [single, truefalse], count: 2, points: 2}
          - {source: generated, family: conv-output, difficulty: 2, count: 1, points: 5}
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from quizzer.bank.schema import KINDS, ItemId
from quizzer.errors import BankProblem, QuizzerError
from quizzer.text import BiText
from quizzer.topics import TOPIC_SLUGS

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
MAX_QUESTIONS = 200


class SpecProblem:
    """One problem in a spec file, printed as ``file:line: field: message``."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str):
        self.file, self.line, self.field, self.message = file, line, field, message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return ": ".join([where, self.field or "-", self.message])


class SpecError(QuizzerError):
    """The exam spec is malformed; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[SpecProblem]):
        self.problems = problems
        count = len(problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the exam spec; nothing was written."
        super().__init__("\n".join([header, *map(str, problems)]))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpecText(_Strict):
    zh: NonEmpty
    en: NonEmpty

    def bi(self) -> BiText:
        return BiText(self.zh, self.en)


def _both_languages(value: object) -> object:
    return {"zh": value, "en": value} if isinstance(value, str) else value


# A text in the spec is either one string (used for both languages) or {zh, en}.
AnyText = Annotated[SpecText, BeforeValidator(_both_languages)]


class BankDraw(_Strict):
    """``count`` distinct bank items matching every filter given (an empty filter allows everything)."""

    source: Literal["bank"]
    topics: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    difficulty: list[int] = Field(default_factory=list)
    ids: list[ItemId] = Field(default_factory=list, description="exactly these items (count defaults to their number)")
    count: int | None = Field(default=None, ge=1, le=MAX_QUESTIONS)
    points: float = Field(gt=0, le=1000)

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            if topic not in TOPIC_SLUGS:
                raise ValueError(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
        return topics

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
        return kinds

    @field_validator("difficulty")
    @classmethod
    def _known_levels(cls, levels: list[int]) -> list[int]:
        for level in levels:
            if level not in (1, 2, 3):
                raise ValueError(f"difficulty {level} is not one of 1, 2, 3")
        return levels

    @property
    def needed(self) -> int:
        return self.count if self.count is not None else max(len(self.ids), 1)

    def describe(self) -> str:
        parts = []
        if self.ids:
            parts.append(f"ids {', '.join(self.ids)}")
        if self.topics:
            parts.append(f"topic {' or '.join(self.topics)}")
        if self.kinds:
            parts.append(f"kind {' or '.join(self.kinds)}")
        if self.difficulty:
            parts.append(f"difficulty {' or '.join(map(str, self.difficulty))}")
        return ", ".join(parts) or "any"


class GeneratedDraw(_Strict):
    """``count`` problems of one family at one difficulty; every version gets its own instances."""

    source: Literal["generated"]
    family: NonEmpty
    difficulty: int = Field(default=1, ge=1, le=3)
    count: int = Field(default=1, ge=1, le=MAX_QUESTIONS)
    points: float = Field(gt=0, le=1000)

    @field_validator("family")
    @classmethod
    def _known_family(cls, name: str) -> str:
        from quizzer.generators.registry import get_family

        try:
            family = get_family(name)
        except QuizzerError as exc:
            raise ValueError(str(exc)) from None
        return family.name

    @model_validator(mode="after")
    def _known_difficulty(self) -> GeneratedDraw:
        from quizzer.generators.registry import get_family

        levels = get_family(self.family).difficulties
        if self.difficulty not in levels:
            raise ValueError(f"family {self.family!r} has difficulties {list(levels)}, not {self.difficulty}")
        return self

    @property
    def needed(self) -> int:
        return self.count


Draw = Annotated[BankDraw | GeneratedDraw, Field(discriminator="source")]


class Section(_Strict):
    title: AnyText | None = None
    instructions: AnyText | None = None
    draws: list[Draw] = Field(min_length=1)
    shuffle: bool = Field(default=True, description="shuffle question order within the section per version")


class ExamSpec(_Strict):
    title: AnyText
    instructions: AnyText | None = None
    time_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    # Printed on the sheets and used as the PDF's document date; never the build time (reproducible builds).
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    sections: list[Section] = Field(min_length=1)
    # On answer sheets (``--answer-sheets``): whether a completely blackened bubble means "I take this mark back".
    # Off by default: then a blackened bubble is simply a filled one, which is what most students do.
    cancel_by_blackening: bool = False

    @field_validator("sections")
    @classmethod
    def _not_too_long(cls, sections: list[Section]) -> list[Section]:
        total = sum(d.needed for s in sections for d in s.draws)
        if total > MAX_QUESTIONS:
            raise ValueError(f"the exam has {total} questions; at most {MAX_QUESTIONS} are allowed")
        return sections


def _clean_loc(loc: tuple) -> tuple:
    """Drop the discriminator tag pydantic inserts into locations (``draws.0.bank.count``)."""
    return tuple(p for p in loc if p not in ("bank", "generated"))


def _message(err: ErrorDetails) -> str:
    kind, message = err["type"], err["msg"]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return "source must be 'bank' or 'generated'"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "too_short":
        return "needs at least one entry"
    return message.removeprefix("Value error, ")


def load_spec(path: Path, display: str | None = None) -> tuple[ExamSpec, str]:
    """The validated spec and the SHA-256 of its bytes; raises SpecError listing every problem."""
    from quizzer.bank.loader import _line_for, _parse_yaml  # one safe YAML reader for every file a user gives

    display = display or str(path)
    if not path.is_file():
        raise SpecError([SpecProblem(display, None, None, "no such file")])
    parsed = _parse_yaml(path, display)
    if isinstance(parsed, BankProblem):
        message = parsed.message.replace("bank files", "exam specs")
        raise SpecError([SpecProblem(display, parsed.line, None, message)])
    data, lines = parsed
    if not isinstance(data, dict):
        raise SpecError([SpecProblem(display, 1, None, "an exam spec is a mapping with 'title:' and 'sections:'")])
    try:
        spec = ExamSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = _clean_loc(tuple(err["loc"]))
            field = ".".join(str(p) for p in loc) or None
            problems.append(SpecProblem(display, _line_for(lines, loc), field, _message(err)))
        raise SpecError(sorted(problems, key=lambda p: p.line or 0)) from None
    return spec, hashlib.sha256(path.read_bytes()).hexdigest()
