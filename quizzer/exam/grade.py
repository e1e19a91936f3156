"""Grading filled exam answers (``student,version,question,answer``) against a built exam's manifest.

Every answer goes through the same ``Question.parse`` / ``Question.grade`` as the quiz. Anything odd in
the CSV — an unknown student, version or question number, a missing, duplicated or conflicting row, an
answer that cannot be read — becomes one line in the report (``Issue``), never a crash and never a zero
nobody is told about.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from quizzer import messages as M
from quizzer.errors import AnswerParseError, NotFound, QuizzerError
from quizzer.exam.manifest import CSV_HEADER, Manifest
from quizzer.exam.questions import ExamQuestion, exam_questions, load_manifest
from quizzer.grading.grade import Feedback, Result
from quizzer.grading.kinds.base import ChoiceAnswer
from quizzer.quiz.question import GeneratedQuestion
from quizzer.safety import strip_controls
from quizzer.store.engine import Store
from quizzer.text import BiText

MAX_STUDENT_ID = 80  # profiles.name is String(80): a longer id could not be recorded
MAX_CSV_BYTES = 20_000_000

# Verdicts of an exam question beyond the grader's own (correct, partial, incorrect).
NO_CREDIT = ("unanswered", "unreadable", "missing", "conflict")
VERDICT_TEXT = M.EXAM_VERDICTS


@dataclass(frozen=True)
class AnswerRow:
    line: int
    student: str
    version: str
    question: str
    answer: str
    # Rows read from a scanned answer sheet rather than typed: an open item's score boxes give the teacher's
    # points directly (no answer text to grade), and an answer still awaiting review is graded as unreadable
    # with the reason, never guessed.
    points: float | None = None
    pending: BiText | None = None


@dataclass(frozen=True)
class Issue:
    """One line of the report about the CSV itself; ``line`` is the CSV line it is about, if any."""

    issue: BiText
    line: int | None = None
    student: str | None = None

    @property
    def message(self) -> str:
        return self.issue.en

    def text(self, lang: str) -> str:
        return (M.ISSUE_LINE.format(line=self.line, issue=self.issue) if self.line else self.issue).get(lang)

    def __str__(self) -> str:
        return self.text("en")


@dataclass
class GradedQuestion:
    exam: ExamQuestion
    verdict: str
    score: float  # fraction of the question's points, 0…1
    raw: str | None = None
    line: int | None = None
    result: Result | None = None
    note: BiText | None = None  # why a question earned nothing without being graded (unreadable, missing, …)
    chosen: tuple[int, ...] = ()  # choice items: the bank item's own option indices the student chose

    @property
    def number(self) -> int:
        return self.exam.number

    @property
    def points(self) -> float:
        return self.exam.entry.points

    @property
    def earned(self) -> float:
        return round(self.points * self.score, 4)

    @property
    def diagnosis(self) -> str | None:
        return self.result.diagnosis if self.result else None

    @property
    def expected(self) -> BiText:
        if self.result is not None:
            return self.result.expected
        return self.exam.question.expected()

    @property
    def feedback(self) -> list[Feedback]:
        """The grader's feedback; for an answer that was never graded, the worked solution or explanation."""
        if self.result is not None:
            return self.result.feedback
        question = self.exam.question
        if isinstance(question, GeneratedQuestion):
            return [Feedback("solution", question.problem.solution)]
        return [Feedback("explanation", question.item.explanation)]


@dataclass
class StudentReport:
    student: str
    version: str
    questions: list[GradedQuestion]

    @property
    def score(self) -> float:
        return round(sum(q.earned for q in self.questions), 4)

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.total if self.total else 0.0


@dataclass
class ExamGrade:
    manifest: Manifest
    students: list[StudentReport]
    issues: list[Issue] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)  # students whose attempts were stored by this run
    already_recorded: list[str] = field(default_factory=list)

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "title": self.manifest.title,
            "students": [
                {
                    "student": s.student,
                    "version": s.version,
                    "score": s.score,
                    "total": s.total,
                    "percent": round(s.percent, 2),
                    "questions": [
                        {
                            "number": q.number,
                            "item": q.exam.key,
                            "points": q.points,
                            "earned": q.earned,
                            "verdict": q.verdict,
                            "answer": q.raw,
                            "expected": q.expected.get(lang),
                            "diagnosis": q.diagnosis,
                            "note": q.note.get(lang) if q.note else None,
                        }
                        for q in s.questions
                    ],
                }
                for s in self.students
            ],
            "issues": [i.text(lang) for i in self.issues],
            "recorded": self.recorded,
            "already_recorded": self.already_recorded,
        }


# --- reading the CSV -----------------------------------------------------------------------------


def read_answers(path: Path) -> tuple[list[AnswerRow], list[Issue]]:
    """The rows of a filled answers CSV, with a report line for every row that cannot be used."""
    if not path.is_file():
        raise NotFound(f"{path}: no such answers file")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise QuizzerError(f"{path}: larger than {MAX_CSV_BYTES // 1_000_000} MB; is this the answers CSV?")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a CSV saved by Excel starts with a byte-order mark
    except UnicodeDecodeError as exc:
        raise QuizzerError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise QuizzerError(f"{path}: empty file; expected the header {','.join(CSV_HEADER)}")
    names = [strip_controls(h).strip().lower() for h in header]
    missing = [c for c in CSV_HEADER if c not in names]
    if missing:
        raise QuizzerError(
            f"{path}:1: header {','.join(names)!r} lacks column(s) {', '.join(missing)}; "
            f"expected {','.join(CSV_HEADER)}"
        )
    index = {c: names.index(c) for c in CSV_HEADER}
    issues = [Issue(M.ISSUE_UNUSED_COLUMN.format(name=repr(n)), 1) for n in names if n and n not in CSV_HEADER]
    rows: list[AnswerRow] = []
    template_rows = 0
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(names):
            issues.append(Issue(M.ISSUE_SHORT_ROW.format(cells=len(cells), columns=len(names)), line))
            continue
        values = {c: strip_controls(cells[i]).strip() for c, i in index.items()}
        if not values["student"]:
            if values["answer"]:
                issues.append(Issue(M.ISSUE_NO_STUDENT.format(answer=repr(values["answer"])), line))
            else:
                template_rows += 1
            continue
        if len(values["student"]) > MAX_STUDENT_ID:
            issues.append(Issue(M.ISSUE_LONG_ID.format(limit=MAX_STUDENT_ID), line))
            continue
        rows.append(AnswerRow(line, values["student"], values["version"], values["question"], values["answer"]))
    if template_rows:
        issues.append(Issue(M.ISSUE_TEMPLATE_ROWS.format(template_rows)))
    return rows, issues


def read_roster(path: Path) -> list[str]:
    """Student ids, one per line (blank lines and ``#`` comments ignored)."""
    if not path.is_file():
        raise NotFound(f"{path}: no such roster file")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise QuizzerError(f"{path}: not UTF-8 text") from None
    names = [strip_controls(line).strip() for line in lines]
    return [n for n in names if n and not n.startswith("#")]


# --- grading -------------------------------------------------------------------------------------


def _grade_one(exam: ExamQuestion, row: AnswerRow, issues: list[Issue]) -> GradedQuestion:
    if row.pending is not None:
        note = row.pending
        issues.append(
            Issue(M.ISSUE_UNREADABLE.format(student=row.student, number=exam.number, note=note), row.line, row.student)
        )
        return GradedQuestion(exam, "unreadable", 0.0, row.answer, row.line, note=note)
    if row.points is not None:
        return _teacher_points(exam, row)
    if not row.answer:
        return GradedQuestion(exam, "unanswered", 0.0, "", row.line)
    question = exam.question
    try:
        parsed = question.parse(row.answer)
    except AnswerParseError as exc:
        hint = exc.hint if exc.hint is not None else BiText("", "")
        # The parser's own message is English; the Chinese note gives the hint alone.
        note = M.NOTE_UNREADABLE.format(answer=repr(row.answer), hint=BiText(hint.zh, f"{exc} {hint.en}".rstrip()))
        issues.append(
            Issue(M.ISSUE_UNREADABLE.format(student=row.student, number=exam.number, note=note), row.line, row.student)
        )
        return GradedQuestion(exam, "unreadable", 0.0, row.answer, row.line, note=note)
    result = question.grade(parsed)
    # An answer to lettered options parses to the letters chosen; item analysis counts them in the bank's order.
    chooses = not isinstance(question, GeneratedQuestion) and isinstance(question.shape(), ChoiceAnswer)
    chosen = tuple(exam.original_option(letter) for letter in parsed) if chooses else ()
    return GradedQuestion(exam, result.verdict, result.score, row.answer, row.line, result=result, chosen=chosen)


def _teacher_points(exam: ExamQuestion, row: AnswerRow) -> GradedQuestion:
    """An open item marked on the sheet by the teacher: the points are the verdict (capped at the item's)."""
    points = row.points or 0.0
    score = max(0.0, min(1.0, points / exam.entry.points))
    verdict = "correct" if score == 1.0 else ("partial" if score > 0 else "incorrect")
    return GradedQuestion(exam, verdict, score, row.answer or f"{points:g}", row.line)


def grade_rows(
    manifest: Manifest,
    questions: dict[str, dict[int, ExamQuestion]],
    rows: list[AnswerRow],
    *,
    roster: list[str] | None = None,
) -> tuple[list[StudentReport], list[Issue]]:
    """Grade parsed CSV rows; every row that cannot count is reported, every question gets a verdict."""
    issues: list[Issue] = []
    known = set(roster) if roster is not None else None
    by_student: dict[str, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        if known is not None and row.student not in known:
            issues.append(Issue(M.ISSUE_UNKNOWN_STUDENT.format(student=repr(row.student)), row.line, row.student))
            continue
        by_student[row.student].append(row)
    students: list[StudentReport] = []
    for student in sorted(by_student):
        report = _grade_student(student, by_student[student], manifest, questions, issues)
        if report is not None:
            students.append(report)
    for student in roster or []:
        if student not in by_student:
            issues.append(Issue(M.ISSUE_NO_ANSWERS.format(student=repr(student)), None, student))
    return students, issues


def _grade_student(
    student: str,
    rows: list[AnswerRow],
    manifest: Manifest,
    questions: dict[str, dict[int, ExamQuestion]],
    issues: list[Issue],
) -> StudentReport | None:
    version: str | None = None
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        if row.version not in questions:
            codes = [v.code for v in manifest.versions]
            known = BiText(", ".join(codes[:8]), ", ".join(codes[:8]))
            if len(codes) > 8:
                known += BiText(", ", ", ") + M.ISSUE_MORE_VERSIONS.format(len(codes))
            issues.append(
                Issue(
                    M.ISSUE_UNKNOWN_VERSION.format(student=student, version=repr(row.version), known=known),
                    row.line,
                    student,
                )
            )
            continue
        if version is None:
            version = row.version
        elif row.version != version:
            issues.append(
                Issue(
                    M.ISSUE_OTHER_VERSION.format(student=student, version=version, other=row.version), row.line, student
                )
            )
            continue
        number = _question_number(row.question)
        if number is None or number not in questions[version]:
            count = len(questions[version])
            issues.append(
                Issue(
                    M.ISSUE_NO_QUESTION.format(
                        student=student, version=version, question=repr(row.question), count=count
                    ),
                    row.line,
                    student,
                )
            )
            continue
        answers[number].append(row)
    if version is None:
        return None
    graded: list[GradedQuestion] = []
    for number, exam in questions[version].items():
        given = answers.get(number, [])
        if not given:
            note = M.NOTE_NO_ROW
            issues.append(
                Issue(M.ISSUE_MISSING.format(student=student, version=version, note=note, number=number), None, student)
            )
            graded.append(GradedQuestion(exam, "missing", 0.0, None, note=note))
            continue
        # A blank row beside a filled one is a template row left in, not a second answer.
        filled = [r for r in given if r.answer]
        first = (filled or given)[0]
        rest = [r for r in given if r is not first]
        distinct = {r.answer for r in filled}
        if len(distinct) > 1:
            shown = " / ".join(repr(r.answer) for r in given)
            lines = ", ".join(str(r.line) for r in given)
            note = M.NOTE_CONFLICT.format(lines=lines, shown=shown)
            issues.append(
                Issue(M.ISSUE_CONFLICT.format(student=student, number=number, note=note), first.line, student)
            )
            graded.append(GradedQuestion(exam, "conflict", 0.0, None, first.line, note=note))
            continue
        for dup in rest:
            same = M.DUPLICATE_SAME if dup.answer else M.DUPLICATE_BLANK
            issues.append(
                Issue(
                    M.ISSUE_DUPLICATE.format(student=student, number=number, first=first.line, same=same),
                    dup.line,
                    student,
                )
            )
        graded.append(_grade_one(exam, first, issues))
    return StudentReport(student, version, graded)


def _question_number(text: str) -> int | None:
    """``3``, ``Q3``, ``3.`` and ``#3`` all name question 3."""
    cleaned = text.strip().lstrip("#").removeprefix("Q").removeprefix("q").rstrip(".").strip()
    return int(cleaned) if cleaned.isdigit() and len(cleaned) < 6 else None


def grade_exam(
    store: Store,
    directory: Path,
    answers: Path,
    *,
    roster: list[str] | None = None,
    record: bool = False,
    lang: str = "zh",
    clock: Callable[[], datetime] | None = None,
) -> ExamGrade:
    """Grade a filled answers CSV against the exam built into ``directory``; optionally record the attempts."""
    manifest = load_manifest(directory)
    rows, issues = read_answers(answers)
    return grade_answer_rows(store, manifest, rows, issues, roster=roster, record=record, lang=lang, clock=clock)


def grade_answer_rows(
    store: Store,
    manifest: Manifest,
    rows: list[AnswerRow],
    issues: list[Issue],
    *,
    roster: list[str] | None = None,
    record: bool = False,
    lang: str = "zh",
    clock: Callable[[], datetime] | None = None,
) -> ExamGrade:
    """Grade answer rows however they were obtained (a typed CSV, a scanned sheet); optionally record them."""
    questions = exam_questions(store, manifest, only={r.version for r in rows})
    students, more = grade_rows(manifest, questions, rows, roster=roster)
    graded = ExamGrade(manifest, students, issues + more)
    if record:
        from quizzer.exam.record import record_attempts
        from quizzer.store.models import utcnow

        graded.recorded, graded.already_recorded = record_attempts(store, graded, lang=lang, clock=clock or utcnow)
    return graded
