"""Choosing a session's questions: a seeded mix of bank items and generated problems."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select

from quizzer.bank.schema import KINDS
from quizzer.bank.sync import DEFAULT_BANK
from quizzer.errors import BadParameters, ExitStatus, QuizzerError
from quizzer.generators.registry import all_families, get_family, instance_seed
from quizzer.progress.ability import TARGET, Ability, predicted, within_reach
from quizzer.quiz.question import QuestionRef
from quizzer.store.engine import Store
from quizzer.store.models import BankItemRow
from quizzer.topics import TOPIC_SLUGS

# Share of generated numeric problems in a mixed quiz.
GENERATED_SHARE = 0.3
# New material is capped once there is history, so reviews are not crowded out.
NEW_SHARE = 0.4
WEAK_TOPICS = 3
# How strongly new bank items are drawn towards the level that fits the learner: at θ = 0 a ★ item
# is ~6× as likely as a ★★ one and ~40× as likely as a ★★★ one.
FIT_SHARPNESS = 8.0


class QuizOptions(BaseModel):
    """What the learner asked for; stored with the session so a resume knows the settings."""

    model_config = ConfigDict(extra="forbid")

    topics: list[str] = Field(default_factory=list)
    kind: str | None = None
    family: str | None = None
    difficulty: int | None = Field(default=None, ge=1, le=3)
    count: int = Field(default=10, ge=1, le=500)
    # The success rate a generated problem's level aims at (see quizzer.progress.ability).
    target: float = Field(default=TARGET, ge=0.3, le=0.95)
    seed: int = 0
    lang: Literal["zh", "en"] = "zh"
    profile: str = "default"
    # One bank at a time: the bundled bank (with its generated problems) or a learner's named bank.
    bank: str = DEFAULT_BANK

    @model_validator(mode="after")
    def _known_topics(self) -> QuizOptions:
        # A learner's bank has free topics (chapter names); an unknown one there simply matches nothing.
        for topic in self.topics if self.bank == DEFAULT_BANK else ():
            if topic not in TOPIC_SLUGS:
                raise ValueError(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
        return self

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str | None) -> str | None:
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
        return kind


def _bank_candidates(store: Store, options: QuizOptions) -> list[tuple[str, str, int]]:
    """(item id, topic, difficulty) of the active bank items the options allow, in id order."""
    query = select(BankItemRow.id, BankItemRow.topic, BankItemRow.difficulty).where(
        BankItemRow.retired.is_(False), BankItemRow.bank == options.bank
    )
    if options.topics:
        query = query.where(BankItemRow.topic.in_(options.topics))
    if options.kind:
        query = query.where(BankItemRow.kind == options.kind)
    if options.difficulty:
        query = query.where(BankItemRow.difficulty == options.difficulty)
    with store.session(read_only=True) as session:
        return sorted((row[0], row[1], row[2]) for row in session.execute(query))


def _families(options: QuizOptions) -> list[str]:
    if options.bank != DEFAULT_BANK:
        if options.family:
            raise BadParameters(
                f"generated problems belong to the bundled bank; leave out --bank {options.bank} to drill a family"
            )
        return []  # the families' topics are the bundled bank's
    if options.family:
        family = get_family(options.family)
        if options.difficulty and options.difficulty not in family.difficulties:
            raise BadParameters(f"family {family.name!r} has no difficulty {options.difficulty}")
        return [family.name]
    if options.kind not in (None, "numeric"):
        return []
    return [f.name for f in all_families() if not options.topics or f.topic in options.topics]


@dataclass(frozen=True)
class _Candidate:
    key: str  # the schedule key: bank:<id> or skill:<family>:<difficulty>
    topic: str
    item_id: str | None = None
    family: str | None = None
    difficulty: int | None = None
    fitted: bool = True  # False for a skill offered at another level only because its card is due


def _ability(abilities: dict[str, Ability] | None, key: str) -> Ability:
    return (abilities or {}).get(key) or Ability(key)


def _candidates(
    store: Store,
    options: QuizOptions,
    abilities: dict[str, Ability] | None = None,
    cards: dict | None = None,
    now: datetime | None = None,
    due_only: bool = False,
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Bank items and numeric skills the options allow.

    A family is offered at the level its ability estimate picks (``-d`` forces one), plus any other
    level whose schedule card is due and still within reach (``progress.ability.within_reach``): FSRS
    decides when a learned skill comes back, and such a card is reviewed as it was learned. A due card
    at a level now too hard (or too easy) waits: the family itself keeps coming back at its fitted
    level, and the card is reviewed once the learner's ability brings its level back within reach.
    ``review`` (``due_only``) offers every due card, as many as ``progress`` counts: the learner asked for them.
    """
    bank = (
        []
        if options.family
        else [_Candidate(f"bank:{i}", t, item_id=i, difficulty=d) for i, t, d in _bank_candidates(store, options)]
    )
    skills = []
    for name in _families(options):
        family = get_family(name)
        if options.difficulty:
            levels = [options.difficulty]
        else:
            estimate = _ability(abilities, f"family:{name}")
            levels = [estimate.level(family.difficulties, options.target)]
            levels += [
                d
                for d in family.difficulties
                if d != levels[0]
                and cards
                and now is not None
                and f"skill:{name}:{d}" in cards
                and cards[f"skill:{name}:{d}"].due <= now
                and (due_only or within_reach(estimate.theta, d, options.target))
            ]
        for i, d in enumerate(levels):
            skills.append(_Candidate(f"skill:{name}:{d}", family.topic, family=name, difficulty=d, fitted=i == 0))
    if not bank and not skills:
        raise BadParameters("no questions match these options (see `quizzer bank stats` and `quizzer families`)")
    return bank, skills


def _fitting_first(
    rng: random.Random, bank: list[_Candidate], abilities: dict[str, Ability] | None, target: float
) -> list[_Candidate]:
    """Bank items in a seeded random order that favours items whose predicted success is near ``target``.

    Weighted sampling without replacement (Efraimidis & Spirakis 2006: sort by u^(1/w)), weight
    exp(-FIT_SHARPNESS·|P - target|): a new learner (θ = 0) meets mostly ★ items, yet a topic's
    harder facts are not withheld until every easy one is used up.
    """

    def weight(c: _Candidate) -> float:
        p = predicted(_ability(abilities, f"topic:{c.topic}").theta, c.difficulty or 1)
        return math.exp(-FIT_SHARPNESS * abs(p - target))

    keyed = [(rng.random() ** (1.0 / weight(c)), c.key, c) for c in bank]
    return [c for _, _, c in sorted(keyed, key=lambda k: k[:2], reverse=True)]


def _mix(
    rng: random.Random,
    bank: list[_Candidate],
    skills: list[_Candidate],
    count: int,
    abilities: dict[str, Ability] | None = None,
    target: float = TARGET,
) -> list[_Candidate]:
    """``count`` candidates, about GENERATED_SHARE of them numeric skills (skills may repeat: each is a new problem).

    Bank items are taken best-fitting first (``_fitting_first``); the caller shuffles the result.
    """
    n_skill = round(count * GENERATED_SHARE) if bank and skills else (count if skills else 0)
    n_bank = min(count - n_skill, len(bank))
    n_skill = count - n_bank if skills else 0
    return _fitting_first(rng, bank, abilities, target)[:n_bank] + [rng.choice(skills) for _ in range(n_skill)]


def _refs(chosen: list[_Candidate], seed: int) -> list[QuestionRef]:
    refs = []
    for i, c in enumerate(chosen):
        if c.item_id is not None:
            refs.append(QuestionRef("bank", item_id=c.item_id))
        else:
            assert c.family is not None and c.difficulty is not None  # a candidate is a bank item or a skill
            refs.append(
                QuestionRef(
                    "generated",
                    family=c.family,
                    difficulty=c.difficulty,
                    seed=instance_seed(c.family, seed, c.difficulty, i),
                )
            )
    return refs


class NothingDue(QuizzerError):
    """``review`` found nothing due; ``next_due`` says when something will be (the CLI says so, exit 0)."""

    exit_code = ExitStatus.OK

    def __init__(self, next_due: datetime | None):
        self.next_due = next_due
        when = f"; the next review is due {next_due.astimezone():%Y-%m-%d %H:%M}" if next_due else ""
        super().__init__(f"nothing is due for review now{when}")


def build_plan(
    store: Store,
    options: QuizOptions,
    *,
    cards: dict | None = None,
    now: datetime | None = None,
    due_only: bool = False,
    abilities: dict[str, Ability] | None = None,
) -> list[QuestionRef]:
    """The ordered questions of a new session; the same options, history and seed give the same plan.

    Without ``cards`` (cram mode) the questions are a seeded random mix. With them: due items
    first (lowest retrievability first), then the weakest topics, then a capped number of new
    items, then whatever is least well remembered. ``abilities`` (``progress.ability.load_abilities``;
    none means a new learner) set each numeric skill's level and which new bank items come first.
    """
    rng = random.Random(f"plan|{options.seed}")
    bank, skills = _candidates(store, options, abilities, cards, now, due_only)
    cards = cards or {}  # cram: no schedule, so nothing counts as seen
    everything = bank + skills
    seen = [c for c in everything if c.key in cards]
    if due_only:
        due = sorted((c for c in seen if cards[c.key].due <= now), key=lambda c: (cards[c.key].retrievability, c.key))
        if not due:
            later = [cards[c.key].due for c in seen]
            raise NothingDue(min(later) if later else None)
        return _refs(due[: options.count], options.seed)
    if not seen:  # cram, or nothing practised yet: everything is new
        chosen = _mix(rng, bank, skills, options.count, abilities, options.target)
        rng.shuffle(chosen)
        return _refs(chosen, options.seed)

    due = sorted((c for c in seen if cards[c.key].due <= now), key=lambda c: (cards[c.key].retrievability, c.key))

    chosen = due[: options.count]
    taken = {c.key for c in chosen}
    remaining = options.count - len(chosen)
    mastery = topic_mastery(everything, cards)
    practised_topics = sorted({c.topic for c in seen}, key=lambda t: (mastery[t], t))
    weak = [c for c in seen if c.key not in taken and c.topic in practised_topics[:WEAK_TOPICS]]
    weak.sort(key=lambda c: (mastery[c.topic], cards[c.key].retrievability, c.key))
    weak_taken = weak[: (remaining + 1) // 2] if len(seen) < len(everything) else weak[:remaining]
    rest = weak_taken
    taken |= {c.key for c in weak_taken}

    unseen_bank = [c for c in bank if c.key not in cards]
    unseen_skills = [c for c in skills if c.key not in cards]
    new_slots = remaining - len(rest)
    if seen:
        new_slots = min(new_slots, max(1, math.ceil(options.count * NEW_SHARE)))
    new = []
    if (unseen_bank or unseen_skills) and new_slots > 0:
        new = _mix(rng, unseen_bank, unseen_skills, new_slots, abilities, options.target)
    # _mix may repeat a skill; a repeated skill is still one new card.
    rest += new
    taken |= {c.key for c in new}

    leftovers = sorted((c for c in seen if c.key not in taken), key=lambda c: (cards[c.key].retrievability, c.key))
    rest += leftovers[: options.count - len(chosen) - len(rest)]
    if len(chosen) + len(rest) < options.count:
        more_new = [c for c in unseen_bank + unseen_skills if c.key not in taken]
        rest += rng.sample(more_new, min(len(more_new), options.count - len(chosen) - len(rest)))
    fitted = [c for c in skills if c.fitted]
    if fitted and len(chosen) + len(rest) < options.count:
        # Still short (a one-family drill once everything has been seen): a skill may repeat, each time a new problem.
        rest += [rng.choice(fitted) for _ in range(options.count - len(chosen) - len(rest))]
    rng.shuffle(rest)
    return _refs(chosen + rest, options.seed)


def topic_mastery(candidates: list[_Candidate], cards: dict) -> dict[str, float]:
    """Per topic: mean retrievability over its items and skills, counting the never-practised as 0."""
    totals: dict[str, list[float]] = {}
    for c in candidates:
        entry = totals.setdefault(c.topic, [0.0, 0])
        entry[0] += cards[c.key].retrievability if c.key in cards else 0.0
        entry[1] += 1
    return {t: s / n for t, (s, n) in totals.items()}
