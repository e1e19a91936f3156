"""Scanned pages graded through the exam grading path: teacher points, pending review, resolutions, ids.

The manifest is built from real bank items (tests/exam_manifests.py); the expected scores are worked out
here from the bank's keys and the points, not by the grader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from quizzer.bank.catalog import get_item
from quizzer.exam.grade import Issue, grade_answer_rows
from quizzer.exam.manifest import AnswerSheets
from quizzer.exam.scan import assemble
from quizzer.exam.scan_image import PageImage
from quizzer.exam.scan_page import PageResult, read_page
from tests.exam_manifests import (  # noqa: F401  (fixtures)
    bank_entry,
    make_manifest,
    printed_letter,
    store_fixture,
    synced_template_fixture,
)
from tests.scanpages import answer_sheets, draw_page, layout_page

SINGLE, MULTI, NUMERIC, OPEN = (
    "act-large-input-derivative",
    "act-exp-cost",
    "act-leaky-relu-default",
    "act-relu-advantages-open",
)
PERM, MULTI_PERM = [2, 0, 3, 1], [3, 2, 1, 0]
POINTS = {1: 2.0, 2: 2.0, 3: 1.0, 4: 3.0}


@pytest.fixture
def manifest(store):
    return make_manifest(
        {
            "A": [
                bank_entry(store, SINGLE, 1, POINTS[1], PERM),
                bank_entry(store, MULTI, 2, POINTS[2], MULTI_PERM),
                bank_entry(store, NUMERIC, 3, POINTS[3]),
                bank_entry(store, OPEN, 4, POINTS[4]),
            ]
        }
    )


def student_fills(student: str) -> dict[str, float]:
    return {f"s{col}.{digit}": 1.0 for col, digit in enumerate(student)}


def right_fills(store) -> dict[str, float]:
    """The bank's keys, as printed on version A: Q1 single, Q2 multi, Q3 = −0.03 as digits 0,0,3 with 2 decimals."""
    single = printed_letter(PERM, get_item(store, SINGLE).item.answer)
    multi = [printed_letter(MULTI_PERM, a) for a in get_item(store, MULTI).item.answer]
    assert get_item(store, NUMERIC).item.value == -0.03
    fills = {f"q1.{single}": 1.0, **{f"q2.{m}": 1.0 for m in multi}}
    fills.update({"q3.-": 1.0, "q3.d0.0": 1.0, "q3.d1.0": 1.0, "q3.d2.3": 1.0, "q3.dec2": 1.0})
    return fills


def read_copies(pages: dict[int, dict[str, float]]) -> list[PageResult]:
    layouts = [layout_page(copy=c) for c in pages]
    sheets = AnswerSheets.model_validate(answer_sheets(layouts))
    multiple = {("A", 2): True}
    return [
        read_page(PageImage(Path(f"copy{c}.png"), 1, np.asarray(draw_page(lay, fills, dpi=150))), sheets, multiple)
        for lay, (c, fills) in zip(layouts, pages.items(), strict=True)
    ]


def test_scanned_sheets_grade_like_typed_answers(store, manifest):
    fills = right_fills(store)
    pages = read_copies(
        {
            1: {**student_fills("2024"), **fills, "q4.2": 1.0},  # all right, teacher gave 2 of 3 points
            2: {**student_fills("0007"), **fills, "q4.3": 1.0, "q1.A": 0.3},  # Q1 has a doubtful extra mark
            3: {**fills, "q4.0": 1.0},  # no student number
        }
    )
    issues: list[Issue] = []
    rows, review, students = assemble(pages, {}, issues)
    assert students == {("A", 1): "2024", ("A", 2): "0007", ("A", 3): "A-copy3"}
    assert any("student-number grid empty" in i.message for i in issues)
    assert [(i.copy, i.question) for i in review] == [(2, 1)]
    graded = grade_answer_rows(store, manifest, rows, issues)
    by_id = {s.student: s for s in graded.students}
    full = sum(POINTS[q] for q in (1, 2, 3))
    assert by_id["2024"].score == pytest.approx(full + 2.0)
    assert by_id["2024"].questions[3].verdict == "partial"
    # the doubtful question earns nothing and says why; the teacher's 3/3 counts in full
    q1 = by_id["0007"].questions[0]
    assert q1.verdict == "unreadable" and "awaiting review" in q1.note.en
    assert by_id["0007"].score == pytest.approx(full - POINTS[1] + 3.0)
    assert by_id["A-copy3"].score == pytest.approx(full)
    assert by_id["A-copy3"].questions[3].verdict == "incorrect"


def test_resolutions_settle_the_review_queue(store, manifest):
    fills = right_fills(store)
    wrong = next(letter for letter in "ABCD" if f"q1.{letter}" not in fills)
    pages = read_copies({1: {**fills, "q4.1": 0.3, "s0.5": 1.0, "s1.5": 1.0, "s2.5": 0.4}})
    issues: list[Issue] = []
    _, review, _ = assemble(pages, {}, issues)
    assert {i.question for i in review} == {None, 4}
    settled = {("A", 1, "student"): "5551", ("A", 1, "4"): "1", ("A", 1, "1"): wrong}
    rows, review, students = assemble(pages, settled, issues)
    assert students[("A", 1)] == "5551"
    graded = grade_answer_rows(store, manifest, rows, issues)
    report = graded.students[0]
    assert report.student == "5551"
    assert [q.verdict for q in report.questions] == ["incorrect", "correct", "correct", "partial"]
    assert report.score == pytest.approx(POINTS[2] + POINTS[3] + 1.0)


def test_a_missing_page_and_a_shared_id_are_reported(store, manifest):
    two = layout_page(copy=1)
    two["pages"] = 2
    sheets = AnswerSheets.model_validate(answer_sheets([two, layout_page(copy=2)]))
    pages = [
        read_page(
            PageImage(Path(f"c{c}.png"), 1, np.asarray(draw_page(lay, student_fills("1111"), dpi=150))), sheets, {}
        )
        for c, lay in ((1, two), (2, layout_page(copy=2)))
    ]
    issues: list[Issue] = []
    assemble(pages, {("B", 9, "3"): "x"}, issues)
    text = "\n".join(i.message for i in issues)
    assert "copy 1: page 2 was not scanned" in text
    assert "student number 1111 appears on several answer sheets: A#1, A#2" in text
    assert "version B copy 9 question 3, which no scanned page has" in text
