"""pydantic models for question-bank files.

Everything read from a bank file goes through these models (``extra="forbid"``),
so a typo in a field name is an error, never a silently ignored key.

This module holds what every item has; each kind's own fields (options, answer,
accepted spellings, key points …) live with the kind, in ``quizzer.grading.kinds``.
``BankItem`` (the union of the kinds' models), ``BankFile`` and ``KINDS`` are
assembled from the registered kinds in ``quizzer.bank.items`` and can be imported
from here too.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    StringConstraints,
)
from pydantic_core import core_schema

from quizzer.text import BiText
from quizzer.topics import TopicSlug

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
Letter = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]

if TYPE_CHECKING:
    # Re-exported (``X as X``); at run time they are assembled on first use, see __getattr__ below.
    from quizzer.bank.items import KINDS as KINDS
    from quizzer.bank.items import BankFile as BankFile
    from quizzer.bank.items import BankItem as BankItem


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
    kind: str  # each kind's model narrows this to its own Literal name
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


_ASSEMBLED = ("KINDS", "BankItem", "BankFile")


def __getattr__(name: str) -> Any:
    # The union needs every kind module, and the kind modules need the models above: assembling it
    # on first use (PEP 562) rather than at import lets either side be imported first. Each kind's
    # model (SingleItem, OpenItem …) is importable from here too, by its class name.
    if name.startswith("__"):  # introspection (copy, pickle, pytest …) must not load every kind
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from quizzer.bank import items

    if name in _ASSEMBLED:
        return getattr(items, name)
    models = {kind.model.__name__: kind.model for kind in items.REGISTRY.values()}
    if name in models:
        return models[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
