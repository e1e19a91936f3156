"""From bubble states to answers: option letters, numbers from digit grids, the teacher's points, the student id.

Each question is either *read* (its text goes to grading exactly as if typed into the answers CSV) or sent
to *review* with the reason, never guessed: an unclear bubble, two options on a single-choice item, two
digits in one column, a gap between digits, no score or two scores on an open item.

A numeric grid reads as ``[-]digits`` with the point ``decimals`` places from the right (leading zeros
dropped), then ``e[-]digits`` when exponent bubbles are filled — the layout contract's wording. An answer of
several numbers (bubbles with ``part``) reads each component's grid the same way and joins them with ", " in
component order — "3, 224, 224", "195, 32, 31" — the text a student types into the answers CSV for a shape,
a vector or a record (fields in the order the problem names them). A component needing review sends the whole
question to review, the reason naming the component; some components filled and others blank is reviewed too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from quizzer import messages as M
from quizzer.exam.scan_marks import BubbleRead
from quizzer.text import BiText

Kind = Literal["choice", "numeric", "score", "student"]
Status = Literal["read", "review"]
NUMERIC_GROUPS = ("sign", "digit", "decimals", "exp_sign", "exp_digit")


@dataclass
class QuestionRead:
    question: int | None  # None: the student-number grid
    kind: Kind
    answer: str  # the text graded (letters, a number, points, the student id); "" = nothing marked
    status: Status
    why: BiText | None = None
    unclear: list[str] = field(default_factory=list)  # ids of the bubbles in the review band

    @property
    def blank(self) -> bool:
        return self.status == "read" and self.answer == ""


class _Review(Exception):
    def __init__(self, why: BiText, shown: str = ""):
        self.why, self.shown = why, shown


def _marked(reads: list[BubbleRead], cancel_by_blackening: bool) -> list[BubbleRead]:
    """The bubbles that count as marked; a blackened one is a mark unless the exam uses blackening to cancel."""
    wanted = {"filled"} if cancel_by_blackening else {"filled", "blackened"}
    return [r for r in reads if r.state in wanted]


def _unclear(reads: list[BubbleRead]) -> list[BubbleRead]:
    return [r for r in reads if r.state == "unclear"]


def _values(reads: list[BubbleRead]) -> list[str]:
    return [r.bubble.value for r in reads]


def read_question(
    question: int | None, reads: list[BubbleRead], *, multiple: bool, cancel_by_blackening: bool
) -> QuestionRead:
    """One question's answer from its bubbles (all groups of that question on one page)."""
    groups = {r.bubble.group for r in reads}
    kind: Kind
    if question is None or "student" in groups:
        kind = "student"
    elif "score" in groups:
        kind = "score"
    elif "choice" in groups:
        kind = "choice"
    else:
        kind = "numeric"
    if kind == "numeric" and any(r.bubble.part is not None for r in reads):
        return _read_parts(question, reads, cancel_by_blackening)
    return _read_one(question, kind, reads, multiple, cancel_by_blackening)


def _read_one(
    question: int | None, kind: Kind, reads: list[BubbleRead], multiple: bool, cancel_by_blackening: bool
) -> QuestionRead:
    marked = _marked(reads, cancel_by_blackening)
    unclear = _unclear(reads)
    unclear_ids = [r.bubble.id for r in unclear]
    try:
        if unclear:
            # What would be read with the unclear bubbles counted as marked, to show the reviewer.
            shown = _assemble(kind, marked + unclear, multiple, lenient=True)
            bubbles = ", ".join(_label(r) for r in unclear)
            raise _Review(M.SCAN_WHY["unclear"].format(bubbles=bubbles), shown)
        answer = _assemble(kind, marked, multiple, lenient=False)
    except _Review as review:
        return QuestionRead(question, kind, review.shown, "review", review.why, unclear_ids)
    return QuestionRead(question, kind, answer, "read")


def _read_parts(question: int | None, reads: list[BubbleRead], cancel_by_blackening: bool) -> QuestionRead:
    """A multi-number answer: each component's grid read alone, then joined as the answers CSV would hold it."""
    by_part: dict[int, list[BubbleRead]] = defaultdict(list)
    for r in reads:
        by_part[r.bubble.part or 0].append(r)
    parts = [_read_one(question, "numeric", by_part[p], False, cancel_by_blackening) for p in sorted(by_part)]
    shown = ", ".join(p.answer or "_" for p in parts)
    unclear = [i for p in parts for i in p.unclear]
    for index, part in enumerate(parts, start=1):
        if part.status == "review" and part.why is not None:
            why = M.SCAN_WHY["part"].format(part=index) + part.why
            return QuestionRead(question, "numeric", shown, "review", why, unclear)
    blank = [index for index, part in enumerate(parts, start=1) if part.answer == ""]
    if len(blank) == len(parts):
        return QuestionRead(question, "numeric", "", "read")
    if blank:  # half an answer is not what the grader can parse: the reviewer decides what was meant
        why = M.SCAN_WHY["part"].format(part=blank[0]) + M.SCAN_WHY["part-blank"]
        return QuestionRead(question, "numeric", shown, "review", why, unclear)
    return QuestionRead(question, "numeric", shown, "read")


def _label(read: BubbleRead) -> str:
    bubble = read.bubble
    if bubble.column is not None:
        return f"{bubble.group}[{bubble.column + 1}]={bubble.value}"
    return bubble.value if bubble.group == "choice" else f"{bubble.group}={bubble.value}"


def _assemble(kind: Kind, marked: list[BubbleRead], multiple: bool, *, lenient: bool) -> str:
    if kind == "choice":
        letters = sorted(set(_values(marked)))
        if len(letters) > 1 and not multiple and not lenient:
            raise _Review(M.SCAN_WHY["double"].format(bubbles=", ".join(letters)), "".join(letters))
        return "".join(letters)
    if kind == "score":
        points = sorted(set(_values(marked)), key=float)
        if lenient:
            return "/".join(points)
        if not points:
            raise _Review(M.SCAN_WHY["no-score"])
        if len(points) > 1:
            raise _Review(M.SCAN_WHY["two-scores"], "/".join(points))
        return points[0]
    if kind == "student":
        return _columns(marked, "student", lenient, student=True)
    return _numeric(marked, lenient)


def _columns(marked: list[BubbleRead], group: str, lenient: bool, *, student: bool = False) -> str:
    """The digits of a grid's columns, left to right; two in a column or a gap between digits → review."""
    by_column: dict[int, list[str]] = defaultdict(list)
    for r in marked:
        if r.bubble.group == group and r.bubble.column is not None:
            by_column[r.bubble.column].append(r.bubble.value)
    if not by_column:
        return ""
    columns = sorted(by_column)
    shown = "".join("/".join(sorted(by_column.get(c, ["_"]))) for c in range(columns[0], columns[-1] + 1))
    if lenient:
        return shown
    for column in columns:
        if len(set(by_column[column])) > 1:
            key = "student-double" if student else "two-digits"
            raise _Review(M.SCAN_WHY[key].format(column=column + 1), shown)
    for column in range(columns[0], columns[-1] + 1):
        if column not in by_column:
            key = "student-gap" if student else "gap"
            raise _Review(M.SCAN_WHY[key].format(column=column + 1), shown)
    return "".join(by_column[c][0] for c in columns)


def _one(marked: list[BubbleRead], group: str, why: str, lenient: bool) -> str | None:
    values = sorted({r.bubble.value for r in marked if r.bubble.group == group})
    if len(values) > 1:
        if lenient:
            return "/".join(values)
        raise _Review(M.SCAN_WHY[why], "/".join(values))
    return values[0] if values else None


def _numeric(marked: list[BubbleRead], lenient: bool) -> str:
    sign = _one(marked, "sign", "two-signs", lenient)
    decimals = _one(marked, "decimals", "two-decimals", lenient)
    digits = _columns(marked, "digit", lenient)
    exp_sign = _one(marked, "exp_sign", "two-signs", lenient)
    exp_digits = _columns(marked, "exp_digit", lenient)
    if lenient:  # for the reviewer: every mark, as placed
        parts = [sign or "", digits or "_", f" ({decimals} dp)" if decimals else ""]
        if exp_sign or exp_digits:
            parts.append(f" e{exp_sign or ''}{exp_digits or '_'}")
        return "".join(parts).strip()
    if not digits:
        if sign or (decimals and decimals != "0") or exp_sign or exp_digits:
            raise _Review(M.SCAN_WHY["no-digits"])
        return ""
    if not exp_digits and exp_sign:
        raise _Review(M.SCAN_WHY["no-digits"], f"{sign or ''}{digits} e{exp_sign}")
    return number_text(sign == "-", digits, int(decimals or 0), exp_sign == "-", exp_digits)


def number_text(negative: bool, digits: str, decimals: int, exp_negative: bool = False, exp_digits: str = "") -> str:
    """``[-]digits`` with the point ``decimals`` places from the right, leading zeros dropped, ``e[-]digits``."""
    padded = digits.rjust(decimals + 1, "0")
    whole = padded[: len(padded) - decimals].lstrip("0") or "0"
    text = f"{whole}.{padded[len(padded) - decimals :]}" if decimals else whole
    if negative:
        text = "-" + text  # even "-0": it is what was marked, and the grader decides what it is worth
    if exp_digits:
        text += "e" + ("-" if exp_negative else "") + (exp_digits.lstrip("0") or "0")
    return text
