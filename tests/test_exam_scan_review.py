"""The review queue's files and the rules that send a question there, checked without any image."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.manifest import SheetBubble
from quizzer.exam.scan_answers import read_question
from quizzer.exam.scan_marks import BubbleRead
from quizzer.exam.scan_review import ReviewItem, read_resolutions, render_review_html, write_review_csv
from quizzer.text import BiText

STATES = ("empty", "unclear", "filled", "blackened")


def choice(letter: str, state: str) -> BubbleRead:
    bubble = SheetBubble(id=f"q1.{letter}", question=1, group="choice", value=letter, x=0, y=0, w=4, h=4)
    return BubbleRead(bubble, {"empty": 0.0, "unclear": 0.3, "filled": 0.8, "blackened": 1.0}[state], state)


@given(
    states=st.lists(st.sampled_from(STATES), min_size=2, max_size=6),
    multiple=st.booleans(),
    cancel=st.booleans(),
)
def test_a_choice_is_read_only_when_nothing_is_in_doubt(states, multiple, cancel):
    reads = [choice("ABCDEF"[i], s) for i, s in enumerate(states)]
    result = read_question(1, reads, multiple=multiple, cancel_by_blackening=cancel)
    # recount: which letters are marks, and whether a person must look
    marks = sorted(r.bubble.value for r in reads if r.state == "filled" or (r.state == "blackened" and not cancel))
    doubtful = any(s == "unclear" for s in states) or (len(marks) > 1 and not multiple)
    assert result.status == ("review" if doubtful else "read")
    if not doubtful:
        assert result.answer == "".join(marks)
    else:
        assert result.why is not None


def item(question: int | None, read: str = "B?", file: str = "scan.png") -> ReviewItem:
    return ReviewItem("A", 2, question, "choice", read, BiText("不清", "unclear"), Path(file), 1, b"\x89PNG")


def test_review_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "review.csv"
    write_review_csv([item(3, "-4.2"), item(None, "1234")], path, "en", {("A", 2, "student"): "5678"})
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "version,copy,question,kind,read,why,file,page,answer"
    assert "'-4.2" in text  # a spreadsheet must not take the reading for a formula
    settled, issues = read_resolutions(path)
    assert settled == {("A", 2, "student"): "5678"} and issues == []
    # the teacher fills in the rest: "-" means no answer; a leading ' from the spreadsheet is dropped
    path.write_text(
        text.replace(",scan.png,1,\n", ",scan.png,1,'-3.5\n", 1) + "A,x,4,choice,,,f,1,B\nA,2,5,choice,,,f,1,-\n"
    )
    settled, issues = read_resolutions(path)
    assert settled[("A", 2, "3")] == "-3.5" and settled[("A", 2, "5")] == ""
    assert len(issues) == 1 and "copy is not a number" in issues[0].message


def test_review_csv_refusals(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_resolutions(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("student,answer\n", encoding="utf-8")
    with pytest.raises(QuizzerError, match="lacks column"):
        read_resolutions(bad)
    bad.write_bytes(b"version,copy,question,answer\n\xff\xfe\n")
    with pytest.raises(QuizzerError, match="not UTF-8"):
        read_resolutions(bad)


def test_review_html_escapes_everything_and_embeds_the_crops() -> None:
    page = render_review_html([item(1, "<b>x</b>", "<img src=x onerror=alert(1)>.png")], "<i>title</i>", "en")
    assert "<img src=x" not in page and "<b>x</b>" not in page and "<i>title" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in page and "data:image/png;base64,iVBORw==" in page
    assert "1 to review" in page


def test_review_html_carries_the_cjk_font_its_text_needs() -> None:
    """Like every page the tool writes: Chinese renders on a machine without a CJK font (issue 13 §5)."""
    from quizzer.fontsubset import FONT_FAMILY
    from tests.htmlfonts import assert_font_covers_the_page

    page = render_review_html([item(1, "AC", "扫描件.png")], "深度学习基础 · 期中测验", "zh")
    family, used, _ = assert_font_covers_the_page(page)
    assert family == FONT_FAMILY and f"font-family:'{FONT_FAMILY}'" in page
    assert {"深", "复", "核"} <= used  # the title and the page's own words are checked, not just the crops' names
