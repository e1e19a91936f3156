"""``exam scan``: read scanned answer sheets, queue what is in doubt, and grade the rest like ``exam grade``.

The scan becomes the same answer rows a typed CSV gives (``quizzer.exam.grade.AnswerRow``), graded by the
same ``grade_answer_rows``, analysed by the same ``analyse`` and written by the same ``write_reports``; an
open item's score boxes carry the teacher's points, and a question still in review is graded as unreadable
with the reason (never guessed). Pages are read one at a time, so a batch of hundreds stays in memory as
results, not images, and a page that cannot be read is listed with its reason while the batch goes on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizzer import messages as M
from quizzer.exam.grade import AnswerRow, Issue
from quizzer.exam.scan_answers import QuestionRead
from quizzer.exam.scan_page import PageResult
from quizzer.exam.scan_review import ReviewItem, question_label

if TYPE_CHECKING:
    from quizzer.exam.analysis import Analysis
    from quizzer.exam.grade import ExamGrade
    from quizzer.exam.manifest import Manifest
    from quizzer.exam.scan_layout import AnswerSheets
    from quizzer.store.engine import Store

REVIEW_FILES = ("review.csv", "review.html")


@dataclass
class ScanRun:
    pages: list[PageResult]
    review: list[ReviewItem]
    rows: list[AnswerRow]
    issues: list[Issue]
    students: dict[tuple[str, int], str]  # (version, copy) → the student id graded
    resolutions: dict[tuple[str, int, str], str] = field(default_factory=dict)
    grade: ExamGrade | None = None
    analysis: Analysis | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def pending(self) -> list[ReviewItem]:
        """Review items the teacher has not settled yet."""
        return [i for i in self.review if i.key not in self.resolutions]

    def to_json(self, lang: str) -> dict[str, Any]:
        answers = []
        for page in self.pages:
            if page.layout is None:
                continue
            version, copy = page.layout.version, page.layout.copy_
            for q in page.questions:
                key = (version, copy, question_label(q.question))
                answers.append(
                    {
                        "version": version,
                        "copy": copy,
                        "student": self.students.get((version, copy)),
                        "question": question_label(q.question),
                        "kind": q.kind,
                        "marks": q.answer,
                        "status": q.status,
                        "why": q.why.get(lang) if q.why else None,
                        "resolved": self.resolutions.get(key),
                    }
                )
        data: dict[str, Any] = {
            "pages": [p.to_json(lang) for p in self.pages],
            "answers": answers,
            "review": len(self.pending),
            "issues": [i.text(lang) for i in self.issues],
        }
        if self.grade is not None:
            data["grade"] = self.grade.to_json(lang)
        data["files"] = [str(p) for p in self.files]
        return data


def read_scans(sheets: AnswerSheets, manifest: Manifest, scans: list[Path], dpi: int) -> list[PageResult]:
    """Every page of every scan file, read; duplicates of a sheet page already read are marked failed."""
    from quizzer.exam.scan_image import iter_pages
    from quizzer.exam.scan_layout import page_key
    from quizzer.exam.scan_page import read_page

    multiple = {(v.code, item.number): item.kind == "multi" for v in manifest.versions for item in v.items}
    pages: list[PageResult] = []
    seen: dict[tuple[str, int, int], PageResult] = {}
    for path in scans:
        for image in iter_pages(path, dpi):
            result = read_page(image, sheets, multiple)
            if result.layout is not None and result.status != "failed":
                key = page_key(result.layout)
                if key in seen:
                    first = seen[key]
                    result.status, result.failure = "failed", "duplicate"
                    result.reason = M.SCAN_PAGE_FAILED["duplicate"].format(first=f"{first.file.name} p.{first.number}")
                else:
                    seen[key] = result
            pages.append(result)
    return pages


def assemble(
    pages: list[PageResult], resolutions: dict[tuple[str, int, str], str], issues: list[Issue]
) -> tuple[list[AnswerRow], list[ReviewItem], dict[tuple[str, int], str]]:
    """Answer rows for grading, the review queue, and each copy's student id, from the pages read."""
    by_copy: dict[tuple[str, int], list[PageResult]] = defaultdict(list)
    for page in pages:
        if page.layout is not None and page.status != "failed":
            by_copy[(page.layout.version, page.layout.copy_)].append(page)
    rows: list[AnswerRow] = []
    review: list[ReviewItem] = []
    students: dict[tuple[str, int], str] = {}
    used = set()
    for (version, copy), copy_pages in sorted(by_copy.items()):
        student = _student(version, copy, copy_pages, resolutions, review, issues)
        used.add((version, copy, "student"))
        students[(version, copy)] = student
        expected = copy_pages[0].layout.pages if copy_pages[0].layout else 1
        have = {p.layout.page for p in copy_pages if p.layout}
        for missing in sorted(set(range(1, expected + 1)) - have):
            issues.append(Issue(M.SCAN_MISSING_PAGE.format(version=version, copy=copy, page=missing), None, student))
        for page in sorted(copy_pages, key=lambda p: p.layout.page if p.layout else 0):
            for q in page.questions:
                if q.question is None:
                    continue
                key = (version, copy, str(q.question))
                used.add(key)
                if q.status == "review":
                    review.append(_item(version, copy, page, q))
                rows.append(_row(student, version, q, resolutions.get(key)))
    ids: dict[str, list[str]] = defaultdict(list)
    for (version, copy), student in students.items():
        ids[student].append(f"{version}#{copy}")
    for student, copies in sorted(ids.items()):
        if len(copies) > 1:
            issues.append(Issue(M.SCAN_SAME_ID.format(student=student, copies=", ".join(copies)), None, student))
    for version, copy, question in sorted(set(resolutions) - used):
        issues.append(Issue(M.SCAN_RESOLVE_UNKNOWN.format(version=version, copy=copy, question=question)))
    return rows, review, students


def _item(version: str, copy: int, page: PageResult, q: QuestionRead) -> ReviewItem:
    why = q.why or M.SCAN_WHY["unclear"].format(bubbles="?")
    return ReviewItem(
        version, copy, q.question, q.kind, q.answer, why, page.file, page.number, page.crops.get(q.question, b"")
    )


def _student(
    version: str,
    copy: int,
    pages: list[PageResult],
    resolutions: dict[tuple[str, int, str], str],
    review: list[ReviewItem],
    issues: list[Issue],
) -> str:
    """The id on the student-number grid; the teacher's reading of it; else the copy, flagged."""
    fallback = f"{version}-copy{copy}"
    settled = resolutions.get((version, copy, "student"))
    grids = [(page, q) for page in pages for q in page.questions if q.question is None]
    for page, q in grids:
        if q.status == "review":
            review.append(_item(version, copy, page, q))
    if settled:
        return settled
    for _, q in grids:
        if q.status == "read" and q.answer:
            return q.answer
    waiting = any(q.status == "review" for _, q in grids)
    message = M.SCAN_ID_IN_REVIEW if waiting else M.SCAN_FALLBACK_ID
    issues.append(Issue(message.format(version=version, copy=copy, student=fallback), None, fallback))
    return fallback


def _row(student: str, version: str, q: QuestionRead, settled: str | None) -> AnswerRow:
    answer = q.answer if settled is None else settled
    if settled is None and q.status == "review":
        return AnswerRow(0, student, version, str(q.question), q.answer, pending=M.SCAN_PENDING.format(why=q.why))
    if q.kind == "score" and answer:
        try:
            points = float(answer)
        except ValueError:
            points = None
        if points is not None and points >= 0:
            return AnswerRow(0, student, version, str(q.question), answer, points=points)
        note = M.NOTE_UNREADABLE.format(answer=repr(answer), hint=M.SCAN_WHY["no-score"])
        return AnswerRow(0, student, version, str(q.question), answer, pending=note)
    return AnswerRow(0, student, version, str(q.question), answer)


def scan_exam(
    store: Store,
    directory: Path,
    scans: list[Path],
    *,
    dpi: int = 200,
    resolve: Path | None = None,
    out: Path | None = None,
    force: bool = False,
    roster: list[str] | None = None,
    record: bool = False,
    lang: str | None = None,
) -> ScanRun:
    """Read ``scans`` against the exam built into ``directory``, write the review queue and the reports."""
    from quizzer.exam.analysis import analyse
    from quizzer.exam.grade import grade_answer_rows
    from quizzer.exam.questions import load_manifest
    from quizzer.exam.report import prepare_output, write_reports
    from quizzer.exam.scan_image import check_dpi, check_inputs
    from quizzer.exam.scan_layout import answer_sheets_of
    from quizzer.exam.scan_review import read_resolutions, render_review_html, write_review_csv

    manifest = load_manifest(directory)
    sheets = answer_sheets_of(manifest, directory)
    check_dpi(dpi)
    check_inputs(scans)
    lang = lang or manifest.lang
    resolutions, issues = read_resolutions(resolve) if resolve is not None else ({}, [])
    target = out or directory / "scanned"
    # Resolving is re-grading the same scans on purpose: the reports it replaces are its own.
    prepare_output(target, force=force or resolve is not None)
    pages = read_scans(sheets, manifest, scans, dpi)
    rows, review, students = assemble(pages, resolutions, issues)
    run = ScanRun(pages, review, rows, issues, students, resolutions)
    run.grade = grade_answer_rows(store, manifest, rows, issues, roster=roster, record=record, lang=lang)
    run.analysis = analyse(run.grade)
    run.files = write_reports(run.grade, run.analysis, target, lang, force=True)
    csv_path, html_path = (target / name for name in REVIEW_FILES)
    write_review_csv(review, csv_path, lang, resolutions)
    html_path.write_text(render_review_html(run.pending, manifest.title, lang), encoding="utf-8")
    run.files += [csv_path, html_path]
    return run
