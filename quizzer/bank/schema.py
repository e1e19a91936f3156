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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetPydanticSchema,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, SchemaValidator, core_schema

from quizzer.text import LANGS, BiText
from quizzer.topics import TOPIC_SLUGS

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")]
# A free topic (a user bank's chapter name) fits the store's 40-character topic column.
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Letter = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]

if TYPE_CHECKING:
    # Re-exported (``X as X``); at run time they are assembled on first use, see __getattr__ below.
    from quizzer.bank.items import KINDS as KINDS
    from quizzer.bank.items import BankFile as BankFile
    from quizzer.bank.items import BankItem as BankItem


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class BankRules:
    """What a bank file must satisfy beyond its items' shapes: the languages every text is written in and
    whether topics are the 13 slugs of the bundled notes or free names (a user bank's chapters).

    The loader validates with ``context()`` of the file's declared rules (``langs:`` and ``topics:`` at the
    top of the file; the bundled bank is always ``BUNDLED_RULES``). Validation without a context (items read
    back from the store, items built in code) accepts any text with at least one language and any topic.
    """

    langs: tuple[str, ...] = LANGS
    free_topics: bool = False

    def context(self) -> dict[str, Any]:
        return {"langs": self.langs, "free_topics": self.free_topics}


BUNDLED_RULES = BankRules()


def _required_langs(context: Any) -> tuple[str, ...]:
    return tuple(context.get("langs", LANGS)) if isinstance(context, dict) else ()


def _text_validator(required: tuple[str, ...]) -> SchemaValidator:
    """``{zh: …, en: …}`` with the ``required`` sides non-empty after stripping and the others optional.

    A typed-dict schema, not a model, so errors keep the loader's locations (``….why.en``) and types
    (``missing``, ``string_too_short``, ``extra_forbidden``).
    """
    needed = core_schema.str_schema(strip_whitespace=True, min_length=1)
    optional = core_schema.str_schema(strip_whitespace=True)
    fields = {
        lang: core_schema.typed_dict_field(needed)
        if lang in required
        else core_schema.typed_dict_field(optional, required=False)
        for lang in LANGS
    }
    return SchemaValidator(core_schema.typed_dict_schema(fields, extra_behavior="forbid"))


_TEXT_VALIDATORS = {required: _text_validator(required) for required in (LANGS, ("zh",), ("en",), ())}


def _validate_text(value: Any, info: ValidationInfo) -> BiText:
    # A BiText given directly (building items in code, model_copy) is checked like its mapping.
    if isinstance(value, BiText):
        value = value.as_dict()
    required = tuple(lang for lang in LANGS if lang in _required_langs(info.context))
    if type(value) is dict and value.keys() <= {"zh", "en"} and all(type(v) is str for v in value.values()):
        # The common case, checked without the inner validator (a bank of thousands of texts loads in a blink).
        zh, en = value.get("zh", "").strip(), value.get("en", "").strip()
        if (zh or en) and all(zh if lang == "zh" else en for lang in required):
            return BiText.one_sided(zh, en)
    # Errors of the inner validator keep their locations (``prompt.en``) under this field's.
    sides = _TEXT_VALIDATORS[required].validate_python(value)
    zh, en = sides.get("zh", ""), sides.get("en", "")
    if not (zh or en):
        raise PydanticCustomError("empty_text", "empty text: write it in zh or en")
    return BiText.one_sided(zh, en)


def _bitext_schema(_source: Any, _handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """Validate ``{zh: …, en: …}`` into a ``BiText``; dumping gives the mapping back (one-language texts
    without the missing side), so ``content_hash`` of a bilingual item is unchanged by the type."""
    return core_schema.with_info_plain_validator_function(
        _validate_text, serialization=core_schema.plain_serializer_function_ser_schema(BiText.as_dict)
    )


# A piece of text in the bank's languages (zh and en for the bundled bank, see BankRules). At run time it is a
# BiText, the one text type; a one-language text shows its written side in either language (BiText.only).
Text = Annotated[BiText, GetPydanticSchema(_bitext_schema)]


class Keywords(Strict):
    """Words whose presence in an answer shows a key point was covered.

    Any one entry of either list is enough; entries are synonyms. A list may be empty only for a
    language the bank is not written in (see BankRules).
    """

    zh: list[NonEmpty] = Field(default_factory=list, validate_default=True)
    en: list[NonEmpty] = Field(default_factory=list, validate_default=True)

    @field_validator("zh", "en")
    @classmethod
    def _required_language(cls, words: list[str], info: ValidationInfo) -> list[str]:
        if not words and info.field_name in _required_langs(info.context):
            raise PydanticCustomError("too_short", "List should have at least 1 item", {"min_length": 1})
        return words

    @model_validator(mode="after")
    def _some_keyword(self) -> Keywords:
        if not (self.zh or self.en):
            raise ValueError("needs at least one keyword, in zh or en")
        return self


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
    topic: Topic
    difficulty: int = Field(ge=1, le=3)
    # The bundled notes' section the item is derived from; user banks (free topics) have none.
    section: int | None = Field(default=None, ge=1, le=13)
    tags: list[NonEmpty] = Field(default_factory=list)
    prompt: Text
    explanation: Text
    notes_correction: NotesCorrection | None = None

    @field_validator("topic")
    @classmethod
    def _slug_unless_free(cls, topic: str, info: ValidationInfo) -> str:
        context = info.context
        if isinstance(context, dict) and not context.get("free_topics", False) and topic not in TOPIC_SLUGS:
            slugs = ", ".join(repr(t) for t in TOPIC_SLUGS)
            raise ValueError(f"unknown topic {topic!r}: expected one of {slugs} (or declare `topics: free`)")
        return topic

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
