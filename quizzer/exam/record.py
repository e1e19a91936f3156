"""Storing graded exam answers in each student's progress profile (profile name = student id).

An exam becomes a finished session of mode ``exam`` with one attempt per question, written the way the
quiz writes them: the attempt, the daily statistics and the schedule update in one transaction. Recording
the same exam for the same student twice is refused per student, so a re-run cannot double-count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from quizzer.grading.grade import GRADER_VERSION, jsonable
from quizzer.quiz.question import BankQuestion, GeneratedQuestion
from quizzer.store.engine import Store
from quizzer.store.models import AttemptRow, QuizSessionRow
from quizzer.store.profiles import profile_id

if TYPE_CHECKING:
    from quizzer.exam.grade import ExamGrade, GradedQuestion, StudentReport

# What an exam verdict is stored as: a question the student never answered (or whose rows conflict) says
# nothing about memory, like a skip; an unreadable answer counts as wrong, as in a scripted quiz.
STORED_VERDICT = {"unanswered": "skipped", "missing": "skipped", "conflict": "skipped", "unreadable": "incorrect"}


def exam_id(grade: ExamGrade) -> str:
    manifest = grade.manifest
    return f"{manifest.spec_sha256}:{manifest.seed}"


def _already(store: Store, pid: int, key: str) -> bool:
    with store.session() as session:
        rows = session.scalars(
            select(QuizSessionRow.settings).where(QuizSessionRow.profile_id == pid, QuizSessionRow.mode == "exam")
        ).all()
    return any((settings or {}).get("exam_id") == key for settings in rows)


def _attempt(
    session_id: int, pid: int, position: int, graded: GradedQuestion, instance_id: int | None, when: datetime
) -> AttemptRow:
    question = graded.exam.question
    result = graded.result
    return AttemptRow(
        session_id=session_id,
        profile_id=pid,
        position=position,
        question_key=question.ref.key,
        source=question.ref.source,
        item_id=question.ref.item_id,
        item_version=question.item_version if isinstance(question, BankQuestion) else None,
        instance_id=instance_id,
        family=question.ref.family,
        topic=question.topic,
        kind=question.kind,
        difficulty=question.difficulty,
        raw_answer=graded.raw,
        parsed_answer=None if result is None else jsonable(result.parsed),
        verdict=STORED_VERDICT.get(graded.verdict, graded.verdict),
        score=graded.score,
        response_ms=0,
        hints_used=0,
        diagnosis=graded.diagnosis,
        grader_version=GRADER_VERSION,
        created_at=when,
        day=when.astimezone().date().toordinal(),
    )


def record_student(store: Store, grade: ExamGrade, report: StudentReport, *, lang: str, when: datetime) -> bool:
    """Store one student's exam; False (nothing written) when this exam is already in their profile."""
    from quizzer.progress.ability import apply_attempt as estimate_ability
    from quizzer.progress.scheduling import apply_attempt
    from quizzer.progress.stats import count_attempt
    from quizzer.quiz.instances import record_instance

    pid = profile_id(store, report.student)
    key = exam_id(grade)
    if _already(store, pid, key):
        return False
    instances = {
        g.number: record_instance(store, g.exam.question.problem)
        for g in report.questions
        if isinstance(g.exam.question, GeneratedQuestion)
    }
    settings = {
        "exam_id": key,
        "title": grade.manifest.title,
        "version": report.version,
        "score": report.score,
        "total": report.total,
    }
    with store.session() as session:
        row = QuizSessionRow(
            profile_id=pid,
            mode="exam",
            settings=settings,
            lang=lang,
            finished=True,
            plan=[g.exam.question.ref.to_dict() for g in report.questions],
            started_at=when,
            ended_at=when,
        )
        session.add(row)
        session.flush()
        for position, graded in enumerate(report.questions):
            attempt = _attempt(row.id, pid, position, graded, instances.get(graded.number), when)
            session.add(attempt)
            session.flush()
            count_attempt(session, attempt)
            estimate_ability(session, attempt)
            apply_attempt(session, attempt)
    return True


def record_attempts(
    store: Store, grade: ExamGrade, *, lang: str, clock: Callable[[], datetime]
) -> tuple[list[str], list[str]]:
    """(students recorded now, students who already had this exam recorded)."""
    from quizzer.progress.ability import ensure_abilities
    from quizzer.progress.scheduling import ensure_cards

    ensure_cards(store)
    ensure_abilities(store)
    when = clock()
    recorded: list[str] = []
    skipped: list[str] = []
    for report in grade.students:
        (recorded if record_student(store, grade, report, lang=lang, when=when) else skipped).append(report.student)
    return recorded, skipped
