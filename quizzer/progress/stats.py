"""The daily statistics cache: kept current on every graded answer, rebuildable from the attempts."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from quizzer.store.engine import Store
from quizzer.store.meta import get_meta, set_meta
from quizzer.store.models import AttemptRow, DailyStatRow

STATS_VERSION = "1"
_VERSION_KEY = "daily_stats_version"
GRADED = ("correct", "partial", "incorrect")


def count_attempt(session: Session, attempt: AttemptRow) -> None:
    """Add one attempt to the cache, in the caller's transaction (skips and voided keys do not count)."""
    if attempt.verdict not in GRADED:
        return
    key = (
        DailyStatRow.profile_id == attempt.profile_id,
        DailyStatRow.day == attempt.day,
        DailyStatRow.topic == attempt.topic,
        DailyStatRow.family == (attempt.family or ""),
        DailyStatRow.diagnosis == (attempt.diagnosis or ""),
    )
    correct = 1 if attempt.verdict == "correct" else 0
    # An UPDATE statement yields a CursorResult (which has rowcount); Session.execute is typed as plain Result.
    changed = cast(
        CursorResult[Any],
        session.execute(
            update(DailyStatRow)
            .where(*key)
            .values(
                attempts=DailyStatRow.attempts + 1,
                correct=DailyStatRow.correct + correct,
                score=DailyStatRow.score + attempt.score,
            )
        ),
    ).rowcount
    if not changed:
        session.execute(
            insert(DailyStatRow).values(
                profile_id=attempt.profile_id,
                day=attempt.day,
                topic=attempt.topic,
                family=attempt.family or "",
                diagnosis=attempt.diagnosis or "",
                attempts=1,
                correct=correct,
                score=attempt.score,
            )
        )


def rebuild_daily_stats(store: Store) -> None:
    """Recompute the whole cache from the attempts with one aggregate query."""
    family = func.coalesce(AttemptRow.family, "")
    diagnosis = func.coalesce(AttemptRow.diagnosis, "")
    aggregate = (
        select(
            AttemptRow.profile_id,
            AttemptRow.day,
            AttemptRow.topic,
            family,
            diagnosis,
            func.count(),
            func.sum(case((AttemptRow.verdict == "correct", 1), else_=0)),
            func.sum(AttemptRow.score),
        )
        .where(AttemptRow.verdict.in_(GRADED))
        .group_by(AttemptRow.profile_id, AttemptRow.day, AttemptRow.topic, family, diagnosis)
    )
    columns = ["profile_id", "day", "topic", "family", "diagnosis", "attempts", "correct", "score"]
    with store.session(exclusive="daily_stats") as session:
        session.execute(delete(DailyStatRow))
        session.execute(insert(DailyStatRow).from_select(columns, aggregate))
        set_meta(session, _VERSION_KEY, STATS_VERSION)


def ensure_daily_stats(store: Store) -> None:
    with store.session(read_only=True) as session:
        current = get_meta(session, _VERSION_KEY) == STATS_VERSION
    if not current:
        rebuild_daily_stats(store)
