"""Choosing a session's questions: a seeded mix of bank items and generated problems."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from quizzer.bank.schema import KINDS
from quizzer.errors import BadParameters
from quizzer.generators.registry import all_families, get_family, instance_seed
from quizzer.quiz.question import QuestionRef
from quizzer.store.engine import Store
from quizzer.store.models import BankItemRow
from quizzer.topics import TOPIC_SLUGS

# Share of generated numeric problems in a default mixed quiz.
GENERATED_SHARE = 0.3


class QuizOptions(BaseModel):
    """What the learner asked for; stored with the session so a resume knows the settings."""

    model_config = ConfigDict(extra="forbid")

    topics: list[str] = Field(default_factory=list)
    kind: str | None = None
    family: str | None = None
    difficulty: int | None = Field(default=None, ge=1, le=3)
    count: int = Field(default=10, ge=1, le=500)
    seed: int = 0
    lang: Literal["zh", "en"] = "zh"
    profile: str = "default"

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            if topic not in TOPIC_SLUGS:
                raise ValueError(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
        return topics

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str | None) -> str | None:
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
        return kind


def _bank_candidates(store: Store, options: QuizOptions) -> list[str]:
    query = select(BankItemRow.id).where(BankItemRow.retired.is_(False))
    if options.topics:
        query = query.where(BankItemRow.topic.in_(options.topics))
    if options.kind:
        query = query.where(BankItemRow.kind == options.kind)
    if options.difficulty:
        query = query.where(BankItemRow.difficulty == options.difficulty)
    with store.session() as session:
        return sorted(session.scalars(query))


def _families(options: QuizOptions) -> list[str]:
    if options.family:
        family = get_family(options.family)
        if options.difficulty and options.difficulty not in family.difficulties:
            raise BadParameters(f"family {family.name!r} has no difficulty {options.difficulty}")
        return [family.name]
    if options.kind not in (None, "numeric"):
        return []
    return [f.name for f in all_families() if not options.topics or f.topic in options.topics]


def build_plan(store: Store, options: QuizOptions) -> list[QuestionRef]:
    """The ordered questions of a new session; the same options and seed give the same plan."""
    rng = random.Random(f"plan|{options.seed}")
    bank = [] if options.family else _bank_candidates(store, options)
    families = _families(options)
    if not bank and not families:
        raise BadParameters("no questions match these options (see `quizzer bank stats` and `quizzer families`)")

    n_generated = round(options.count * GENERATED_SHARE) if bank and families else (options.count if families else 0)
    n_bank = min(options.count - n_generated, len(bank))
    n_generated = options.count - n_bank if families else 0

    refs = [QuestionRef("bank", item_id=item_id) for item_id in rng.sample(bank, n_bank)]
    for i in range(n_generated):
        name = families[i % len(families)] if options.family else rng.choice(families)
        family = get_family(name)
        difficulty = options.difficulty or rng.choice(family.difficulties)
        refs.append(QuestionRef("generated", family=name, difficulty=difficulty,
                                seed=instance_seed(name, options.seed, difficulty, i)))
    rng.shuffle(refs)
    return refs
