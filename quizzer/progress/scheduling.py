"""Spaced repetition with FSRS (the ``fsrs`` package), per bank item and per numeric skill.

A generated problem is new every time, so what is scheduled for numeric
problems is the *skill*: family × difficulty. Schedules live in
``schedule_cards``, a cache that ``rebuild_cards`` recomputes from the
append-only attempts (and self-ratings) whenever asked, or when the rules
below change (bump ``SCHEDULE_VERSION``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from fsrs import Card, Rating, Scheduler, State
from fsrs.card import CardDict
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from quizzer.progress import cache
from quizzer.store.engine import Store
from quizzer.store.models import AttemptRow, QuizSessionRow, ScheduleCardRow, SelfRatingRow

SCHEDULE_VERSION = "1"
_VERSION_KEY = "schedule_cache_version"

# Beyond these a correct answer counts as effortful (Hard); well under a quarter of them, on an
# item already known for three weeks, as effortless (Easy).
SLOW_MS = {"single": 45_000, "multi": 60_000, "truefalse": 30_000, "fill": 60_000, "numeric": 180_000, "open": 300_000}
EASY_MIN_STABILITY_DAYS = 21.0
PASSING_PARTIAL = 0.5

SELF_RATING = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}

# Fuzzing off: a rebuilt schedule must equal the incremental one exactly.
SCHEDULER = Scheduler(enable_fuzzing=False)


def schedule_key(source: str, item_id: str | None, family: str | None, difficulty: int) -> str:
    if source == "bank":
        return f"bank:{item_id}"
    return f"skill:{family}:{difficulty}"


def rating_for(
    *,
    verdict: str,
    score: float,
    hints_used: int,
    response_ms: int,
    kind: str,
    stability_before: float | None,
    self_rating: str | None = None,
) -> Rating | None:
    """The FSRS rating an attempt earns, or None when it says nothing about memory (skip, void)."""
    if verdict in ("skipped", "void"):
        return None
    if self_rating is not None:
        return SELF_RATING[self_rating]
    if verdict == "incorrect" or (verdict == "partial" and score < PASSING_PARTIAL):
        return Rating.Again
    slow = SLOW_MS.get(kind, 60_000)
    if verdict == "partial" or hints_used or response_ms > slow:
        return Rating.Hard
    if (stability_before or 0.0) >= EASY_MIN_STABILITY_DAYS and response_ms <= slow // 4 and score >= 1.0:
        return Rating.Easy
    return Rating.Good


def _card_dict(stored: dict[str, Any]) -> CardDict:
    # The JSON column holds exactly what _card_json wrote, so it has CardDict's keys.
    return cast(CardDict, stored)


def _card_json(card: Card) -> dict[str, Any]:
    # A TypedDict is not a dict[str, Any] to mypy, though it is one at run time (the JSON column's type).
    return cast(dict[str, Any], card.to_dict())


def _new_card(key: str, when: datetime) -> Card:
    card_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "big")
    return Card(card_id=card_id, due=when)


def review(
    session: Session, *, profile_id: int, key: str, topic: str, rating: Rating, when: datetime
) -> ScheduleCardRow:
    row = session.get(ScheduleCardRow, (profile_id, key))
    card = Card.from_dict(_card_dict(row.card)) if row is not None else _new_card(key, when)
    card, _ = SCHEDULER.review_card(card, rating, when)
    if row is None:
        row = ScheduleCardRow(profile_id=profile_id, key=key, topic=topic, reviews=0, lapses=0)
        session.add(row)
    row.card = _card_json(card)
    row.due, row.stability, row.state, row.last_review = card.due, card.stability, int(card.state), card.last_review
    row.reviews = (row.reviews or 0) + 1
    row.lapses = (row.lapses or 0) + (1 if rating == Rating.Again and card.state == State.Relearning else 0)
    return row


def stability_of(session: Session, profile_id: int, key: str) -> float | None:
    row = session.get(ScheduleCardRow, (profile_id, key))
    return None if row is None else row.stability


def apply_attempt(session: Session, attempt: AttemptRow, *, self_rating: str | None = None) -> None:
    """Update the schedule for one new attempt (in the caller's transaction)."""
    key = schedule_key(attempt.source, attempt.item_id, attempt.family, attempt.difficulty)
    rating = rating_for(
        verdict=attempt.verdict,
        score=attempt.score,
        hints_used=attempt.hints_used,
        response_ms=attempt.response_ms,
        kind=attempt.kind,
        stability_before=stability_of(session, attempt.profile_id, key),
        self_rating=self_rating,
    )
    if rating is not None:
        review(
            session, profile_id=attempt.profile_id, key=key, topic=attempt.topic, rating=rating, when=attempt.created_at
        )


def _replay(session: Session, profile_id: int, key_filter=None) -> int:
    """Recompute the cards of a profile from its attempts in time order; returns how many were replayed.

    Works on plain rows and in-memory cards, writing each card once at the end, so a year of
    history (a million attempts) replays in seconds rather than minutes.
    """
    ratings = dict(
        session.execute(
            select(SelfRatingRow.attempt_id, SelfRatingRow.rating)
            .join(AttemptRow, AttemptRow.id == SelfRatingRow.attempt_id)
            .where(AttemptRow.profile_id == profile_id)
            .order_by(SelfRatingRow.id)  # a later self-rating of the same attempt wins
        ).all()
    )
    query = (
        select(
            AttemptRow.id,
            AttemptRow.source,
            AttemptRow.item_id,
            AttemptRow.family,
            AttemptRow.difficulty,
            AttemptRow.topic,
            AttemptRow.kind,
            AttemptRow.verdict,
            AttemptRow.score,
            AttemptRow.hints_used,
            AttemptRow.response_ms,
            AttemptRow.created_at,
        )
        .join(QuizSessionRow, QuizSessionRow.id == AttemptRow.session_id)
        .where(
            AttemptRow.profile_id == profile_id,
            QuizSessionRow.mode != "cram",
            AttemptRow.verdict.not_in(("skipped", "void")),
        )
        .order_by(AttemptRow.created_at, AttemptRow.id)
    )
    if key_filter is not None:
        query = query.where(*key_filter)
    cards: dict[str, list] = {}  # key -> [card, topic, reviews, lapses]
    count = 0
    for row in session.execute(query).yield_per(5000):
        key = schedule_key(row.source, row.item_id, row.family, row.difficulty)
        entry = cards.get(key)
        rating = rating_for(
            verdict=row.verdict,
            score=row.score,
            hints_used=row.hints_used,
            response_ms=row.response_ms,
            kind=row.kind,
            stability_before=entry[0].stability if entry else None,
            self_rating=ratings.get(row.id),
        )
        if rating is None:
            continue
        if entry is None:
            entry = cards[key] = [_new_card(key, row.created_at), row.topic, 0, 0]
        entry[0], _ = SCHEDULER.review_card(entry[0], rating, row.created_at)
        entry[2] += 1
        entry[3] += 1 if rating == Rating.Again and entry[0].state == State.Relearning else 0
        count += 1
    for key, (card, topic, reviews, lapses) in cards.items():
        session.merge(
            ScheduleCardRow(
                profile_id=profile_id,
                key=key,
                topic=topic,
                card=_card_json(card),
                due=card.due,
                stability=card.stability,
                state=int(card.state),
                reviews=reviews,
                lapses=lapses,
                last_review=card.last_review,
            )
        )
    return count


def replay_key(session: Session, profile_id: int, attempt: AttemptRow) -> None:
    """Recompute one card from its attempts (after a self-rating changes an earlier rating)."""
    key = schedule_key(attempt.source, attempt.item_id, attempt.family, attempt.difficulty)
    session.execute(delete(ScheduleCardRow).where(ScheduleCardRow.profile_id == profile_id, ScheduleCardRow.key == key))
    session.flush()
    same: tuple[ColumnElement[bool], ...]
    if attempt.source == "bank":
        same = (AttemptRow.source == "bank", AttemptRow.item_id == attempt.item_id)
    else:
        same = (
            AttemptRow.source == "generated",
            AttemptRow.family == attempt.family,
            AttemptRow.difficulty == attempt.difficulty,
        )
    _replay(session, profile_id, same)


def rebuild_cards(store: Store, profile_id: int | None = None) -> int:
    """Throw the cache away and replay history (one profile, or all). Returns attempts replayed."""
    return cache.rebuild(
        store,
        table=ScheduleCardRow,
        version_key=_VERSION_KEY,
        version=SCHEDULE_VERSION,
        replay=_replay,
        lock="schedule",
        profile_id=profile_id,
    )


def ensure_cards(store: Store) -> None:
    """Rebuild the cache once after an upgrade (or a change of the rules above)."""
    if not cache.is_current(store, _VERSION_KEY, SCHEDULE_VERSION):
        rebuild_cards(store)


@dataclass(frozen=True)
class CardView:
    key: str
    topic: str
    due: datetime
    stability: float | None
    state: int
    reviews: int
    retrievability: float


def load_cards(store: Store, profile_id: int, now: datetime) -> dict[str, CardView]:
    with store.session(read_only=True) as session:
        rows = session.scalars(select(ScheduleCardRow).where(ScheduleCardRow.profile_id == profile_id)).all()
        return {
            r.key: CardView(
                r.key,
                r.topic,
                r.due,
                r.stability,
                r.state,
                r.reviews,
                SCHEDULER.get_card_retrievability(Card.from_dict(_card_dict(r.card)), now),
            )
            for r in rows
        }


def local_day_end(now: datetime, days_ahead: int = 0) -> datetime:
    """The end (exclusive) of the learner's local calendar day ``days_ahead`` days from ``now``."""
    local = now.astimezone()
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (start + timedelta(days=days_ahead + 1)).astimezone(now.tzinfo)
