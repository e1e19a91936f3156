"""The learner's history: sessions, attempts, and exports of both."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from quizzer.errors import NotFound
from quizzer.store.engine import Store
from quizzer.store.models import AttemptRow, QuizSessionRow, SelfRatingRow
from quizzer.store.profiles import profile_id

EXPORT_FIELDS = (
    "id",
    "session_id",
    "position",
    "created_at",
    "question_key",
    "source",
    "item_id",
    "item_version",
    "family",
    "topic",
    "kind",
    "difficulty",
    "raw_answer",
    "parsed_answer",
    "verdict",
    "score",
    "response_ms",
    "hints_used",
    "diagnosis",
    "self_rating",
    "grader_version",
)


@dataclass(frozen=True)
class SessionSummary:
    session_id: int
    started_at: datetime
    ended_at: datetime | None
    mode: str
    finished: bool
    answered: int
    score: float


def list_sessions(store: Store, *, profile: str = "default") -> list[SessionSummary]:
    pid = profile_id(store, profile)
    with store.session() as session:
        rows = session.execute(
            select(QuizSessionRow, func.count(AttemptRow.id), func.coalesce(func.sum(AttemptRow.score), 0.0))
            .join(AttemptRow, AttemptRow.session_id == QuizSessionRow.id, isouter=True)
            .where(QuizSessionRow.profile_id == pid)
            .group_by(QuizSessionRow.id)
            .order_by(QuizSessionRow.id)
        ).all()
    return [SessionSummary(s.id, s.started_at, s.ended_at, s.mode, s.finished, n, float(score)) for s, n, score in rows]


def attempts(store: Store, *, profile: str = "default", session_id: int | None = None) -> list[dict]:
    pid = profile_id(store, profile)
    with store.session() as session:
        if session_id is not None:
            owner = session.get(QuizSessionRow, session_id)
            if owner is None or owner.profile_id != pid:
                raise NotFound(f"profile {profile!r} has no session {session_id}")
        query = select(AttemptRow).where(AttemptRow.profile_id == pid).order_by(AttemptRow.created_at, AttemptRow.id)
        if session_id is not None:
            query = query.where(AttemptRow.session_id == session_id)
        rows = session.scalars(query).all()
        ratings = (
            dict(
                session.execute(
                    select(SelfRatingRow.attempt_id, SelfRatingRow.rating)
                    .where(SelfRatingRow.attempt_id.in_([r.id for r in rows]))
                    .order_by(SelfRatingRow.id)
                ).all()
            )
            if rows
            else {}
        )
    out = []
    for r in rows:
        record = {name: getattr(r, name, None) for name in EXPORT_FIELDS if name != "self_rating"}
        record["created_at"] = r.created_at.isoformat()
        record["self_rating"] = ratings.get(r.id)
        out.append(record)
    return out


def export(records: list[dict], fmt: str, path: Path, *, force: bool = False) -> None:
    """Write ``records`` as JSON or CSV; CSV cells a spreadsheet would run as formulas are neutralised."""
    from quizzer.outputs import open_output
    from quizzer.safety import write_csv

    with open_output(path, force=force) as handle:
        if fmt == "json":
            handle.write(json.dumps(records, ensure_ascii=False, indent=2))
            return
        rows = []
        for record in records:
            row = dict(record)
            parsed = row["parsed_answer"]
            row["parsed_answer"] = json.dumps(parsed, ensure_ascii=False) if parsed is not None else ""
            rows.append(["" if row[name] is None else row[name] for name in EXPORT_FIELDS])
        write_csv(handle, EXPORT_FIELDS, rows)
