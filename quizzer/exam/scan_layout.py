"""The answer-sheet layout that ``exam build --answer-sheets`` records in ``manifest.json`` (``answer_sheets``).

This is the reader's side of the layout contract shared with the sheet builder: every position is in
millimetres on an A4 page, origin top-left, y down. The reader validates it strictly (``extra="forbid"``)
except where the contract allows a later builder to ADD optional fields: those are tolerated and ignored
by setting ``extra="ignore"`` on the few models the contract says may grow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.manifest import MANIFEST_NAME

LAYOUT_VERSION = 1
QR_PREFIX = "QZ1"


class LayoutError(QuizzerError):
    """A manifest without answer sheets, or with a layout the reader does not understand."""


class _Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QrBox(_Layout):
    payload: str = Field(description="QZ1|exam|version|copy|page, as encoded in the QR code")
    x: float = Field(description="left edge of the code incl. its quiet zone, mm")
    y: float = Field(description="top edge of the code incl. its quiet zone, mm")
    size: float = Field(gt=0, description="side of the code incl. its quiet zone, mm")


class CornerMark(_Layout):
    corner: Literal["tl", "tr", "bl", "br"]
    x: float = Field(description="centre of the filled square, mm")
    y: float = Field(description="centre of the filled square, mm")
    size: float = Field(gt=0, description="side of the filled square, mm")


BubbleGroup = Literal["choice", "sign", "digit", "decimals", "exp_sign", "exp_digit", "score", "student"]


class Bubble(_Layout):
    id: str
    question: int | None = Field(description="question number on this version's sheet; None for the student grid")
    group: BubbleGroup
    value: str = Field(description="what a mark here means: an option letter, a digit, a sign, a point count")
    column: int | None = Field(default=None, description="digit position, left to right (digit groups only)")
    x: float = Field(description="centre, mm")
    y: float = Field(description="centre, mm")
    w: float = Field(gt=0, description="outer width, mm")
    h: float = Field(gt=0, description="outer height, mm")


class Region(_Layout):
    question: int | None = Field(description="the question whose answer area this is; None = student-number grid")
    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)


class SheetPage(_Layout):
    pdf_page: int = Field(ge=1)
    exam: str
    version: str
    copy_number: int = Field(ge=1, alias="copy")
    page: int = Field(ge=1)
    pages: int = Field(ge=1)
    qr: QrBox
    corner_marks: list[CornerMark] = Field(min_length=3)
    bubbles: list[Bubble]
    regions: list[Region] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.version, self.copy_number, self.page)


class Paper(_Layout):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class AnswerSheets(BaseModel):
    """The ``answer_sheets`` block; unknown extra keys (optional additions to the contract) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    layout_version: int
    units: Literal["mm"] = "mm"
    origin: str = "top-left, y down"
    paper: Paper = Paper(width=210.0, height=297.0)
    pdf: str = "answer-sheets.pdf"
    student_digits: int = Field(ge=0, default=8)
    cancel_by_blackening: bool = False
    pages: list[SheetPage]


def parse_payload(text: str) -> tuple[str, str, int, int] | None:
    """``QZ1|exam|version|copy|page`` → (exam, version, copy, page); None for anything else."""
    parts = text.strip().split("|")
    if len(parts) != 5 or parts[0] != QR_PREFIX:
        return None
    exam, version, copy, page = parts[1:]
    if not (copy.isdigit() and page.isdigit()) or not exam or not version:
        return None
    return exam, version, int(copy), int(page)


def load_answer_sheets(directory: Path) -> AnswerSheets:
    """The answer-sheet layout of the exam built into ``directory``; one-line errors for anything missing."""
    from pydantic import ValidationError

    if not directory.is_dir():
        raise NotFound(f"{directory}: no such exam directory (the --out of `quizzer exam build`)")
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise NotFound(f"{path}: no manifest; is {directory} the output of `quizzer exam build`?")
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayoutError(f"{path}: not valid JSON ({exc})") from None
    block = data.get("answer_sheets") if isinstance(data, dict) else None
    if block is None:
        raise LayoutError(f"{path}: no answer sheets; build the exam with `quizzer exam build … --answer-sheets`")
    try:
        sheets = AnswerSheets.model_validate(block)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(answer_sheets)"
        raise LayoutError(f"{path}: answer_sheets.{where}: {first['msg']} ({exc.error_count()} problem(s))") from None
    if sheets.layout_version != LAYOUT_VERSION:
        raise LayoutError(
            f"{path}: answer-sheet layout version {sheets.layout_version}; this quizzer reads version {LAYOUT_VERSION}"
        )
    return sheets


def exam_ids(directory: Path) -> set[str]:
    """The exam ids the sheets of ``directory`` carry in their QR codes."""
    return {p.exam for p in load_answer_sheets(directory).pages}
