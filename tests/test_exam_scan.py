"""Reading answer-sheet pages: registration (turned, shrunk, rotated, 3 marks), marks, review reasons, failures.

Pages are drawn by ``tests/scanpages.py`` straight from a layout dict; what each page should read as is
stated here from the fills that were drawn, not from the reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from quizzer.exam.manifest import AnswerSheets
from quizzer.exam.scan_answers import number_text
from quizzer.exam.scan_image import PageImage
from quizzer.exam.scan_page import PageResult, read_page
from tests.scanpages import answer_sheets, draw_page, layout_page, scanned

MULTI = {("A", 2): True}
# Student 1234; Q1 B; Q2 A and C; Q3 −4.2 (digits 0,4,2 with one decimal); Q4 two points.
FILLS = {
    "s0.1": 1.0,
    "s1.2": 0.9,
    "s2.3": 1.0,
    "s3.4": 0.85,
    "q1.B": 1.0,
    "q2.A": 0.9,
    "q2.C": 0.8,
    "q3.-": 1.0,
    "q3.d0.0": 1.0,
    "q3.d1.4": 0.95,
    "q3.d2.2": 1.0,
    "q3.dec1": 1.0,
    "q4.2": 1.0,
}
EXPECTED = {None: "1234", 1: "B", 2: "AC", 3: "-4.2", 4: "2"}


def sheets_for(*layouts: dict, cancel: bool = False) -> AnswerSheets:
    return AnswerSheets.model_validate(answer_sheets(list(layouts), cancel))


def read(image: Image.Image, sheets: AnswerSheets, dpi: float | None = None) -> PageResult:
    return read_page(PageImage(Path("scan.png"), 1, np.asarray(image), dpi), sheets, MULTI)


def answers(result: PageResult) -> dict[int | None, str]:
    return {q.question: q.answer for q in result.questions}


@pytest.mark.parametrize(
    ("dpi", "angle", "scale", "turn"),
    [
        (150, 0.0, 1.0, False),
        (200, 3.0, 1.0, False),
        (200, -3.0, 0.9, False),
        (300, 0.0, 0.95, True),
        (150, 1.5, 0.92, True),
    ],
)
def test_page_reads_what_was_marked_whatever_the_placement(dpi, angle, scale, turn):
    layout = layout_page()
    image = scanned(draw_page(layout, FILLS, dpi=dpi), angle=angle, scale=scale, turn=turn)
    result = read(image, sheets_for(layout))
    assert result.status == "read", result.reason
    assert answers(result) == EXPECTED
    assert result.turned == turn
    assert result.marks_used == 4
    assert 0.8 < result.confidence <= 1.0


def test_three_corner_marks_are_enough():
    layout = layout_page()
    image = draw_page(layout, FILLS, dpi=150)
    ImageDraw.Draw(image).rectangle([0, image.height - 60, 60, image.height], fill=255)  # bl mark torn off
    result = read(scanned(image, angle=2.0, scale=0.93), sheets_for(layout))
    assert result.marks_used == 3
    assert answers(result) == EXPECTED


def test_an_unclear_mark_goes_to_review_with_a_crop():
    layout = layout_page()
    image = draw_page(layout, {**FILLS, "q1.B": 0.3}, dpi=150)  # a light, half-hearted mark
    result = read(image, sheets_for(layout))
    q1 = next(q for q in result.questions if q.question == 1)
    assert q1.status == "review" and q1.unclear == ["q1.B"]
    assert "unclear" in q1.why.en
    assert result.status == "review"
    crop = result.crops[1]
    assert crop.startswith(b"\x89PNG")
    # the other questions are still read
    assert {q.question: q.answer for q in result.questions if q.status == "read"} == {
        k: v for k, v in EXPECTED.items() if k != 1
    }


@pytest.mark.parametrize(
    ("extra", "question", "reason"),
    [
        ({"q1.D": 1.0}, 1, "more than one option"),
        ({"q3.d1.7": 1.0}, 3, "two digits marked in column 2"),
        ({"q3.d1.4": 0.0}, 3, "column 2 is empty between"),
        ({"q3.+": 1.0}, 3, "both signs"),
        ({"q4.3": 1.0}, 4, "more than one score"),
        ({"q4.2": 0.0}, 4, "no score marked"),
        ({"s1.5": 1.0}, None, "two digits in student-number column 2"),
        ({"s1.2": 0.0}, None, "student-number column 2 is empty"),
    ],
)
def test_ambiguous_answers_go_to_review_never_guessed(extra, question, reason):
    layout = layout_page()
    result = read(draw_page(layout, {**FILLS, **extra}, dpi=150), sheets_for(layout))
    target = next(q for q in result.questions if q.question == question)
    assert target.status == "review"
    assert reason in target.why.en


def test_multiple_choice_takes_several_marks_single_choice_does_not():
    layout = layout_page()
    result = read(draw_page(layout, {**FILLS, "q2.D": 1.0}, dpi=150), sheets_for(layout))
    assert answers(result)[2] == "ACD"


@pytest.mark.parametrize(("cancel", "expected", "status"), [(True, "B", "read"), (False, "", "review")])
def test_a_blackened_bubble_cancels_only_when_the_exam_says_so(cancel, expected, status):
    layout = layout_page()
    image = draw_page(layout, FILLS, dpi=150, blacken=("q1.A",))
    result = read(image, sheets_for(layout, cancel=cancel))
    q1 = next(q for q in result.questions if q.question == 1)
    assert q1.status == status
    if status == "read":
        assert q1.answer == expected
    else:  # blackened counts as a mark beside B: a double mark on a single-choice item
        assert "more than one option" in q1.why.en


def test_empty_grid_reads_blank_answers():
    layout = layout_page()
    result = read(draw_page(layout, {}, dpi=150), sheets_for(layout))
    statuses = {q.question: (q.answer, q.status) for q in result.questions}
    assert statuses[1] == ("", "read") and statuses[3] == ("", "read") and statuses[None] == ("", "read")
    assert statuses[4][1] == "review"  # an open item the teacher did not score


def test_failures_are_reported_not_raised():
    layout = layout_page()
    sheets = sheets_for(layout)
    blank = Image.new("L", (1240, 1754), 255)
    assert read(blank, sheets).failure == "no-qr"
    other = layout_page(exam="another-exam")
    assert read(draw_page(other, FILLS, dpi=150), sheets).failure == "unknown-exam"
    assert read(draw_page(layout_page(copy=9), FILLS, dpi=150), sheets).failure == "unknown-page"
    torn = draw_page(layout, FILLS, dpi=150)
    ImageDraw.Draw(torn).rectangle([0, 0, 80, torn.height], fill=255)  # both left marks gone
    result = read(torn, sheets)
    assert result.failure == "no-marks" and result.status == "failed"
    assert "corner marks" in result.reason.en
    unreadable = read_page(PageImage(Path("x.png"), 1, None, error="truncated"), sheets, MULTI)
    assert unreadable.failure == "unreadable" and "truncated" in unreadable.reason.en


@given(
    negative=st.booleans(),
    digits=st.text(alphabet="0123456789", min_size=1, max_size=6),
    decimals=st.integers(0, 5),
    exponent=st.one_of(st.none(), st.tuples(st.booleans(), st.text(alphabet="0123456789", min_size=1, max_size=2))),
)
def test_number_text_places_the_point_from_the_right(negative, digits, decimals, exponent):
    exp_negative, exp_digits = exponent if exponent else (False, "")
    text = number_text(negative, digits, decimals, exp_negative, exp_digits)
    # Independently: the integer the digits spell, scaled by 10^-decimals and the exponent.
    value = int(digits) * 10.0 ** (-decimals) * (10.0 ** ((-1 if exp_negative else 1) * int(exp_digits or 0)))
    assert float(text) == pytest.approx(-value if negative else value, rel=1e-12)
    mantissa = text.split("e")[0].lstrip("-")
    assert not (mantissa.startswith("0") and len(mantissa) > 1 and mantissa[1] != "."), text
    if decimals:
        assert len(mantissa.split(".")[1]) == decimals


def test_a_light_tick_is_not_read_as_empty():
    from tests.scanhand import tick

    layout = layout_page()
    image = draw_page(layout, FILLS, dpi=200)
    tick(image, next(b for b in layout["bubbles"] if b["id"] == "q1.C"), 200)
    result = read(image, sheets_for(layout))
    q1 = next(q for q in result.questions if q.question == 1)
    assert q1.status == "review" and q1.unclear == ["q1.C"]
