"""The reader's view of the answer-sheet layout that ``exam build --answer-sheets`` records in ``manifest.json``.

The models are the manifest's own (``quizzer.exam.manifest``: one definition of the contract for the sheet
builder and the reader); this module adds what reading needs: the QR payload's parser, a page's key, and a
one-line error for an exam built without answer sheets or with a layout version this reader does not know.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from quizzer.errors import QuizzerError
from quizzer.exam.manifest import (
    MANIFEST_NAME,
    SHEET_LAYOUT_VERSION,
    AnswerSheets,
    SheetBubble,
    SheetMark,
    SheetPage,
)

if TYPE_CHECKING:
    from quizzer.exam.manifest import Manifest

__all__ = ["AnswerSheets", "LayoutError", "SheetBubble", "SheetMark", "SheetPage", "load_answer_sheets"]

QR_PREFIX = "QZ1"
A4 = (210.0, 297.0)


class LayoutError(QuizzerError):
    """A manifest without answer sheets, or with a layout the reader does not understand."""


def parse_payload(text: str) -> tuple[str, str, int, int] | None:
    """``QZ1|exam|version|copy|page`` → (exam, version, copy, page); None for anything else."""
    parts = text.strip().split("|")
    if len(parts) != 5 or parts[0] != QR_PREFIX:
        return None
    exam, version, copy, page = parts[1:]
    if not (copy.isdigit() and page.isdigit()) or not exam or not version:
        return None
    return exam, version, int(copy), int(page)


def page_key(page: SheetPage) -> tuple[str, int, int]:
    """(version, copy, page): what makes a sheet page one of a kind in a batch."""
    return (page.version, page.copy_, page.page)


def paper_size(sheets: AnswerSheets) -> tuple[float, float]:
    return sheets.paper.get("width", A4[0]), sheets.paper.get("height", A4[1])


def answer_sheets_of(manifest: Manifest, directory: Path) -> AnswerSheets:
    sheets = manifest.answer_sheets
    path = directory / MANIFEST_NAME
    if sheets is None:
        raise LayoutError(f"{path}: no answer sheets; build the exam with `quizzer exam build … --answer-sheets`")
    if sheets.layout_version != SHEET_LAYOUT_VERSION:
        raise LayoutError(
            f"{path}: answer-sheet layout version {sheets.layout_version}; "
            f"this quizzer reads version {SHEET_LAYOUT_VERSION}"
        )
    return sheets


def load_answer_sheets(directory: Path) -> AnswerSheets:
    """The answer-sheet layout of the exam built into ``directory``; one-line errors for anything missing."""
    from quizzer.exam.questions import load_manifest

    return answer_sheets_of(load_manifest(directory), directory)
