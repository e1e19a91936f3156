"""ORM models (SQLAlchemy 2.0 typed). The schema itself is owned by the migrations in ``db/``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes; SQLite drops the zone, so it is re-attached on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; quizzer stores UTC-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class BankItemRow(Base):
    """The current version of a bank item. Its id never changes, so history attached to it survives edits."""

    __tablename__ = "bank_items"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_file: Mapped[str] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(16))  # "bundled" or "user"
    # The bank the item belongs to: "bundled" (with `bank import` files) or a learner's named bank; quizzes
    # draw from one bank at a time.
    bank: Mapped[str] = mapped_column(String(80), default="bundled", server_default="bundled")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    versions: Mapped[list[BankItemVersion]] = relationship(back_populates="item", order_by="BankItemVersion.version")


class BankItemVersion(Base):
    """Every version an item has had, so an old attempt can be shown against the text it answered."""

    __tablename__ = "bank_item_versions"

    item_id: Mapped[str] = mapped_column(ForeignKey("bank_items.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    item: Mapped[BankItemRow] = relationship(back_populates="versions")


class MetaRow(Base):
    """Small key/value facts about the store, e.g. the hash of the last bundled bank synced."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class GeneratedInstanceRow(Base):
    """A generated problem as served: enough to show it again and to re-check its key later."""

    __tablename__ = "generated_instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family: Mapped[str] = mapped_column(String(60), index=True)
    difficulty: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    answer: Mapped[Any] = mapped_column(JSON)
    torch_answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    agree: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    torch_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ProfileRow(Base):
    """A learner. Everything a learner does hangs off a profile; 'default' exists implicitly."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuizSessionRow(Base):
    """One sitting. ``plan`` fixes the questions up front, so an interrupted session can resume exactly."""

    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))  # quiz | review | cram | exam
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    lang: Mapped[str] = mapped_column(String(4))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)


class AttemptRow(Base):
    """One answered (or skipped) question. Append-only: statistics and schedules are recomputed from these."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("quiz_sessions.id"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    question_key: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(16))  # bank | generated
    item_id: Mapped[str | None] = mapped_column(ForeignKey("bank_items.id"), nullable=True, index=True)
    item_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("generated_instances.id"), nullable=True)
    family: Mapped[str | None] = mapped_column(String(60), nullable=True)
    topic: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    difficulty: Mapped[int] = mapped_column(Integer)
    raw_answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    parsed_answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    verdict: Mapped[str] = mapped_column(String(16))  # correct | partial | incorrect | skipped | void
    score: Mapped[float] = mapped_column(default=0.0)
    response_ms: Mapped[int] = mapped_column(Integer, default=0)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    diagnosis: Mapped[str | None] = mapped_column(String(80), nullable=True)
    grader_version: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # The learner's local calendar day (date.toordinal()), so reports group by day without
    # evaluating a date function over a million rows.
    day: Mapped[int] = mapped_column(Integer)


class SelfRatingRow(Base):
    """A learner's own rating of an attempt (again/hard/good/easy), kept beside the automatic score."""

    __tablename__ = "self_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ScheduleCardRow(Base):
    """FSRS state of one bank item or numeric skill for one profile: a cache rebuilt from attempts at will."""

    __tablename__ = "schedule_cards"

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # bank:<id> | skill:<family>:<difficulty>
    topic: Mapped[str] = mapped_column(String(40))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    stability: Mapped[float | None] = mapped_column(nullable=True)
    state: Mapped[int] = mapped_column(Integer)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DailyStatRow(Base):
    """Graded answers per learner, local day, topic, family and diagnosed mistake: a cache of attempts.

    Reports read this (tens of thousands of rows for a year) instead of scanning a million attempts;
    ``quizzer.progress.stats.rebuild_daily_stats`` recomputes it from the attempts at any time.
    """

    __tablename__ = "daily_stats"

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    family: Mapped[str] = mapped_column(String(60), primary_key=True)  # "" for bank items
    diagnosis: Mapped[str] = mapped_column(String(80), primary_key=True)  # "" when none was diagnosed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(default=0.0)


class AbilityRow(Base):
    """A learner's Elo ability on one numeric skill (``family:<name>``) or bank topic (``topic:<slug>``).

    A cache of the attempts like ``schedule_cards``: ``quizzer.progress.ability.rebuild_abilities`` recomputes it.
    """

    __tablename__ = "abilities"

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    theta: Mapped[float] = mapped_column()
    answers: Mapped[int] = mapped_column(Integer)  # answers counted so far: they shrink the update step
