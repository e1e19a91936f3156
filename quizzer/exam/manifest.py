"""What an exam build writes down so that the exam can be graded later: ``manifest.json``.

The manifest is the contract between ``exam build`` (which writes it) and ``exam grade`` / the exporters
(which read it): everything needed to rebuild every question of every version exactly, with its correct
answer, tolerance and option order, without the spec or the random seed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
CSV_HEADER = ("student", "version", "question", "answer")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ManifestItem(_Strict):
    """One question as printed in one version."""

    number: int = Field(ge=1, description="the question's number on this version's sheet (1-based)")
    section: int = Field(ge=0, description="index of the spec section it was drawn for")
    points: float = Field(gt=0)
    source: Literal["bank", "generated"]
    kind: str = Field(description="bank kind (single, multi, truefalse, fill, numeric, open) or 'numeric'")
    # bank items
    item_id: str | None = None
    item_version: int | None = None
    # generated problems: family + difficulty + instance seed rebuild the problem; params are recorded too
    family: str | None = None
    difficulty: int | None = None
    seed: int | None = None
    params: dict[str, Any] | None = None
    # the key, in the printed form (choice items: letters as printed, after the permutation)
    answer: Any = None
    rel_tol: float | None = None
    abs_tol: float | None = None
    # choice items: permutation[i] = index in the bank item's options of the option printed at position i
    permutation: list[int] | None = None


class ManifestVersion(_Strict):
    code: str = Field(description="printed on every page of this version, e.g. 'A', 'B', … or 'V07'")
    items: list[ManifestItem]


# --- answer sheets (``exam build --answer-sheets``): the layout contract shared with the scan reader -------------
# Every length is in millimetres from the page's top-left corner, y pointing down. A bubble's and a corner mark's
# x, y are its CENTRE; a QR code's and a region's x, y are their TOP-LEFT corner.
SHEET_LAYOUT_VERSION = 1
SHEETS_PDF_NAME = "answer-sheets.pdf"
BubbleGroup = Literal["choice", "sign", "digit", "decimals", "exp_sign", "exp_digit", "score", "student"]


class SheetBubble(_Strict):
    id: str = Field(description="unique on its page, e.g. 'q3.B', 'q7.d2.5', 'sid.4.7'")
    question: int | None = Field(description="question number on this version's sheet; null for the student number")
    group: BubbleGroup
    value: str = Field(description="what filling it means: an option letter, a digit, '+'/'-', a count or points")
    column: int | None = Field(default=None, description="digit position, 0 = leftmost (digit groups only)")
    # added to the contract (optional): an answer of several numbers (a shape, a vector, a record) gets one grid per
    # component; null for everything else, so every manifest written before it stays valid
    part: int | None = Field(
        default=None, description="component index, 0 = first (a shape's dim, a vector's entry, a record's field)"
    )
    x: float
    y: float
    w: float
    h: float


class SheetMark(_Strict):
    corner: Literal["tl", "tr", "bl", "br"]
    x: float
    y: float
    size: float = Field(description="side of the filled black square")


class SheetQR(_Strict):
    payload: str = Field(description="QZ1|exam|version|copy|page, also printed beside the code")
    x: float
    y: float
    size: float = Field(description="side of the code including its quiet zone")


class SheetRegion(_Strict):
    question: int | None = Field(description="the question whose answer area this is; null for the student number")
    x: float
    y: float
    w: float
    h: float


class SheetPage(_Strict):
    pdf_page: int = Field(ge=1, description="1-based page of answer-sheets.pdf")
    exam: str
    version: str
    copy_: int = Field(ge=1, alias="copy", description="the copy of this version (1-based)")
    page: int = Field(ge=1, description="page within this copy")
    pages: int = Field(ge=1, description="pages in this copy")
    qr: SheetQR
    corner_marks: list[SheetMark]
    bubbles: list[SheetBubble]
    regions: list[SheetRegion]

    # "copy" is a BaseModel method: the field is copy_ in Python and "copy" in the JSON
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AnswerSheets(_Strict):
    """The whole layout. Grids: an integer key's grid has no "decimals" bubbles (read as 0 decimals); every number
    grid has both "sign" bubbles ("+" and "-", neither filled reads as +); true/false items are "choice" bubbles with
    values "T" and "F" (printed 对/错 on a Chinese sheet), which the grader reads as true and false."""

    layout_version: int = SHEET_LAYOUT_VERSION
    units: Literal["mm"] = "mm"
    origin: Literal["top-left, y down"] = "top-left, y down"
    paper: dict[str, float] = Field(default_factory=lambda: {"width": 210.0, "height": 297.0})
    pdf: str = SHEETS_PDF_NAME
    student_digits: int = Field(ge=1)
    cancel_by_blackening: bool = Field(description="a completely blackened bubble means 'cancelled' (from the spec)")
    pages: list[SheetPage]
    # added to the contract (optional): the exam id every page's QR code carries, to tell an unknown exam at once
    exam: str | None = None


class Manifest(_Strict):
    format: int = MANIFEST_FORMAT
    title: str
    lang: Literal["zh", "en"]
    seed: int
    spec_sha256: str
    quizzer_version: str
    bank_sha256: str | None = None
    total_points: float
    versions: list[ManifestVersion]
    # the answers CSV a teacher fills in: header plus one row per (version, question), student left blank
    csv_template: str
    # only with ``--answer-sheets``; left out of manifest.json otherwise (see ``manifest_json``)
    answer_sheets: AnswerSheets | None = None


def manifest_json(manifest: Manifest) -> str:
    """manifest.json's text: a build without answer sheets writes exactly what it wrote before they existed.

    The answer-sheet layout is written one bubble (mark, region) per line: indented field by field it made the
    manifest of 100 versions 18 MB, this way it is a third of that and still reads line by line.
    """
    if manifest.answer_sheets is None:
        return manifest.model_dump_json(indent=2, exclude={"answer_sheets"}) + "\n"
    import json

    head = manifest.model_dump_json(indent=2, exclude={"answer_sheets"}).rstrip()
    sheets = manifest.answer_sheets.model_dump(mode="json", by_alias=True)
    pages = sheets.pop("pages")

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def page_text(page: dict[str, Any]) -> str:
        lists = {key: page.pop(key) for key in ("corner_marks", "bubbles", "regions")}
        fields = [f"        {line(k)}: {line(v)}" for k, v in page.items()]
        fields += [
            f"        {line(k)}: [\n" + ",\n".join(f"          {line(item)}" for item in items) + "\n        ]"
            for k, items in lists.items()
        ]
        return "      {\n" + ",\n".join(fields) + "\n      }"

    body = [f"    {line(k)}: {line(v)}" for k, v in sheets.items()]
    body.append('    "pages": [\n' + ",\n".join(page_text(p) for p in pages) + "\n    ]")
    return head[:-1].rstrip() + ',\n  "answer_sheets": {\n' + ",\n".join(body) + "\n  }\n}\n"
