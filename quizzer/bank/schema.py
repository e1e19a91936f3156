"""pydantic models for question-bank files.

Everything read from a bank file goes through these models (``extra="forbid"``),
so a typo in a field name is an error, never a silently ignored key.
"""

from __future__ import annotations

import hashlib
import json
import string
from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetPydanticSchema, StringConstraints,
                      ValidationInfo, field_validator)
from pydantic_core import core_schema

from quizzer.text import BiText
from quizzer.topics import TopicSlug

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
Letter = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]

KINDS = ("single", "multi", "truefalse", "fill", "numeric", "open")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bitext_schema(_source: Any, _handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """Validate ``{zh: …, en: …}`` (both non-empty after stripping, no other key) into a ``BiText``.

    A typed-dict schema, not a model, so errors keep the loader's locations (``….why.en``) and types
    (``missing``, ``string_too_short``, ``extra_forbidden``); dumping gives the same mapping back, so
    ``content_hash`` is unchanged by the type.
    """
    side = core_schema.str_schema(strip_whitespace=True, min_length=1)
    mapping = core_schema.typed_dict_schema(
        {"zh": core_schema.typed_dict_field(side), "en": core_schema.typed_dict_field(side)}, extra_behavior="forbid"
    )
    return core_schema.no_info_before_validator_function(
        # A BiText given directly (building items in code, model_copy) is checked like its mapping.
        lambda value: value.as_dict() if isinstance(value, BiText) else value,
        core_schema.no_info_after_validator_function(lambda d: BiText(d["zh"], d["en"]), mapping),
        serialization=core_schema.plain_serializer_function_ser_schema(BiText.as_dict),
    )


# A piece of text in both languages; neither side may be empty. At run time it is a BiText, the one text type.
Text = Annotated[BiText, GetPydanticSchema(_bitext_schema)]


class Keywords(Strict):
    """Words whose presence in an answer shows a key point was covered.

    Any one entry of either list is enough; entries are synonyms.
    """

    zh: list[NonEmpty] = Field(min_length=1)
    en: list[NonEmpty] = Field(min_length=1)


class KeyPoint(Strict):
    point: Text
    keywords: Keywords
    weight: float = Field(default=1.0, gt=0, le=10)


class Option(Strict):
    text: Text
    # Why this option is right (for the correct ones) or wrong (for distractors).
    why: Text


class NotesCorrection(Strict):
    """Where the learner's notes are wrong: what they say, what is true, and why."""

    claim: Text
    truth: Text
    why: Text


class ItemBase(Strict):
    id: ItemId
    topic: TopicSlug
    difficulty: int = Field(ge=1, le=3)
    section: int = Field(ge=1, le=13, description="section of the notes the item is derived from")
    tags: list[NonEmpty] = Field(default_factory=list)
    prompt: Text
    explanation: Text
    notes_correction: NotesCorrection | None = None

    def content_hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _letters(n: int) -> str:
    return string.ascii_uppercase[:n]


def _check_letter(letter: str, options: list[Option]) -> None:
    allowed = _letters(len(options))
    if letter not in allowed:
        raise ValueError(
            f"option {letter!r} is out of range: there are {len(options)} options ({allowed[0]}–{allowed[-1]})"
        )


class SingleItem(ItemBase):
    kind: Literal["single"]
    options: list[Option] = Field(min_length=2, max_length=8)
    answer: Letter

    @field_validator("answer")
    @classmethod
    def _answer_in_range(cls, value: str, info: ValidationInfo) -> str:
        # options is declared first, so it is in info.data whenever it validated.
        if "options" in info.data:
            _check_letter(value, info.data["options"])
        return value


class MultiItem(ItemBase):
    kind: Literal["multi"]
    options: list[Option] = Field(min_length=2, max_length=8)
    answer: list[Letter]

    @field_validator("answer")
    @classmethod
    def _valid_answers(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if not value:
            raise ValueError("a multi item needs at least one correct option")
        if len(set(value)) != len(value):
            raise ValueError("correct options are listed twice")
        if "options" in info.data:
            for letter in value:
                _check_letter(letter, info.data["options"])
        return sorted(value)


class TrueFalseItem(ItemBase):
    kind: Literal["truefalse"]
    answer: bool


class FillItem(ItemBase):
    kind: Literal["fill"]
    # Every accepted spelling; grading ignores case, width and spacing.
    accepted: list[NonEmpty] = Field(min_length=1)


class NumericItem(ItemBase):
    kind: Literal["numeric"]
    value: float
    tolerance: float = Field(default=0.0, ge=0, description="absolute tolerance")
    unit: str | None = None


class OpenItem(ItemBase):
    kind: Literal["open"]
    reference: Text
    key_points: list[KeyPoint] = Field(min_length=1)


BankItem = Annotated[
    Union[SingleItem, MultiItem, TrueFalseItem, FillItem, NumericItem, OpenItem],
    Field(discriminator="kind"),
]


class BankFile(Strict):
    """One YAML file of the bank: ``schema: 1`` and a list of items."""

    schema_version: Literal[1] = Field(alias="schema")
    items: list[BankItem] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
