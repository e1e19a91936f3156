"""Answer sheets laid out in millimetres: where every bubble, corner mark, QR code and label goes.

The layout is computed here, once, and becomes two things: the manifest's ``answer_sheets`` (what a scan reader
needs, see ``manifest.py``) and the drawing the typst template executes element by element
(``render_sheets.py``). The template decides nothing about positions, so the PDF and the manifest agree by
construction (a test renders the PDF and checks every bubble and mark where the manifest puts it).

A question's answer area is a **block** laid out relative to its own top-left corner, then packed left to
right in shelves, shelf after shelf down the page, in question order; a block that does not fit the page's
remaining height starts the next page. Which block a question gets depends on its answer shape only:
option bubbles (choice, true/false), a digit grid (a number: bank numeric items, generated problems with one
number), one digit grid per component (generated answers of several numbers: a shape, a vector, a record, each
grid captioned with the field name or the position, its bubbles carrying ``part``), or score bubbles the
teacher fills (text, essays, and answers of more than ``MAX_PARTS`` numbers or whose grids do not fit a page,
written on the exam paper).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, assert_never

from quizzer import messages as M
from quizzer.exam.build import BuiltExam, PrintedQuestion
from quizzer.exam.manifest import (
    AnswerSheets,
    SheetMark,
    SheetPage,
    SheetQR,
    SheetRegion,
    manifest_json,
)
from quizzer.exam.sheet_numbers import GridSize, grid_size
from quizzer.grading.kinds.base import (
    ChoiceAnswer,
    EssayAnswer,
    NumberAnswer,
    TextAnswer,
    TrueFalseAnswer,
)
from quizzer.quiz.question import GeneratedQuestion

PAPER_W, PAPER_H = 210.0, 297.0
STUDENT_DIGITS = 8
MAX_COPIES = 1000
BUBBLE = 4.0  # outer diameter of every bubble
PITCH = 5.0  # centre to centre in digit grids, both directions
MARK_SIZE = 5.0
MARK_INSET = 10.0  # corner marks' centres, from each edge
QR_X, QR_Y, QR_SIZE = 170.0, 14.0, 25.0
QR_MASK = 2
LEFT, RIGHT = 17.0, 193.0  # content edges
FIRST_TOP, LATER_TOP = 44.0, 44.0
BOTTOM = 279.0  # nothing below: the bottom corner marks start at 284.5
GAP = 3.0  # between blocks
LABEL_W = 8.0  # the question number column of a block
SCORE_ROW = 21  # score bubbles per row: 0 … 20 points in one row
MAX_SCORE = 60
MAX_PARTS = 6  # component grids per question: a longer vector is written on the exam paper and scored by hand


# --- drawing elements (the typst template draws exactly these) ---------------------------------------------


@dataclass(frozen=True)
class Label:
    """Text in a box ``w`` wide whose top edge (cap height) is at ``y``."""

    x: float
    y: float
    w: float
    text: str
    size: float = 8.0  # pt
    align: str = "left"
    bold: bool = False
    mono: bool = False

    def moved(self, dx: float, dy: float) -> Label:
        return Label(self.x + dx, self.y + dy, self.w, self.text, self.size, self.align, self.bold, self.mono)


@dataclass(frozen=True)
class Frame:
    """An outlined rectangle (write-in boxes, the name line when ``h`` is 0)."""

    x: float
    y: float
    w: float
    h: float

    def moved(self, dx: float, dy: float) -> Frame:
        return Frame(self.x + dx, self.y + dy, self.w, self.h)


@dataclass
class Block:
    """One question's answer area, positions relative to its top-left corner."""

    question: int | None
    w: float
    h: float
    # plain dicts in the contract's fields: validated once per page as part of its SheetPage (one pydantic call
    # per page instead of one per bubble: a third of the layout's time for 100 versions)
    bubbles: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)

    def bubble(
        self, ident: str, group: str, value: str, x: float, y: float, column: int | None = None, part: int | None = None
    ) -> None:
        bubble = {"id": ident, "question": self.question, "group": group, "value": value, "column": column}
        bubble["part"] = part
        self.bubbles.append({**bubble, "x": x, "y": y, "w": BUBBLE, "h": BUBBLE})


@dataclass
class PageDrawing:
    """Everything on one page: the manifest's page plus the labels and frames only people read."""

    page: SheetPage
    labels: list[Label]
    frames: list[Frame]
    qr_rows: list[list[tuple[int, int]]]  # per module row: (first column, run length) of dark modules


def _r(v: float) -> float:
    """Positions are rounded to 1/100 mm once, so the manifest and the drawing hold the very same numbers."""
    return round(v, 2)


def _bubble_at(b: dict[str, Any], dx: float, dy: float) -> dict[str, Any]:
    return {**b, "x": _r(b["x"] + dx), "y": _r(b["y"] + dy)}


# --- blocks --------------------------------------------------------------------------------------------------


def _head(block: Block, number: int, points: str) -> None:
    block.labels.append(Label(0, 0.6, LABEL_W, f"{number}.", 9, bold=True))
    block.labels.append(Label(0, 4.6, LABEL_W + 4, points, 6))


def choice_block(number: int, points: str, shown: list[tuple[str, str]]) -> Block:
    """One bubble per option in a row; ``shown`` is (value, printed label), e.g. ("B", "B") or ("T", "对")."""
    step = 9.0
    block = Block(number, LABEL_W + 3 + step * len(shown), 8.0)
    _head(block, number, points)
    for i, (value, text) in enumerate(shown):
        x = LABEL_W + 3 + i * step
        block.labels.append(Label(x - 1.8, 1.5, 4, text, 8.5, align="right", bold=True))
        block.bubble(f"q{number}.{value}", "choice", value, x + 3 + BUBBLE / 2, 3.0)
    return block


def score_block(number: int, points: str, top: float, note: str) -> Block:
    """Score bubbles 0 … ``top`` points for the teacher (with a fraction of a point, its exact value last), in
    rows of ``SCORE_ROW``; more than ``MAX_SCORE`` points do not fit a sheet and are refused by name."""
    from quizzer.errors import BadParameters

    if top > MAX_SCORE:
        raise BadParameters(
            f"question {number} is worth {top:g} points; answer sheets have score bubbles for at most {MAX_SCORE}"
        )
    values = [str(v) for v in range(math.floor(top) + 1)]
    if top != math.floor(top):
        values.append(f"{top:g}")
    step, row_h = 7.0, 8.0
    x0 = LABEL_W + 3
    rows = math.ceil(len(values) / SCORE_ROW)
    block = Block(number, max(x0 + step * min(len(values), SCORE_ROW) + 2, 70.0), 4.0 + row_h * rows)
    _head(block, number, points)
    block.labels.append(Label(x0, 0.6, 100, note, 6.5))
    for i, value in enumerate(values):
        x = x0 + (i % SCORE_ROW) * step + BUBBLE / 2
        y = (i // SCORE_ROW) * row_h
        block.labels.append(Label(x - 3, y + 4.2, 6, value, 7, align="center"))
        block.bubble(f"q{number}.s{value}", "score", value, x, y + 9.2)
    return block


def grid_block(
    number: int | None,
    points: str,
    size: GridSize,
    labels: dict[str, str],
    *,
    part: int | None = None,
    caption: str = "",
) -> Block:
    """A digit grid: sign column, digit columns (write-in boxes above), decimals column, exponent columns.

    Rows are the digits 0 … 9 top to bottom, labelled on the left; the sign columns use rows 0 and 1 for + and −.
    ``number`` None makes the student-number grid (digit columns only, group "student"). ``part`` makes one
    component's grid of a multi-number answer: ``caption`` over it, and the question's head only on part 0.
    """
    student = number is None
    q = "sid" if student else f"q{number}" if part is None else f"q{number}.p{part}"
    top = 11.5  # first row's centre: below the column headers and the write-in boxes
    x = LABEL_W + 2.0
    block = Block(number, 0, top + 9 * PITCH + BUBBLE / 2 + 1)
    if number is None:
        block.labels.append(Label(0, 0.6, 60, labels["student"], 8, bold=True))
    elif part is None or part == 0:
        _head(block, number, points)
    if caption:
        block.labels.append(Label(LABEL_W + 1.0, 0.3, 60, caption, 7, bold=True, mono=True))

    def row_labels(at: float) -> None:
        for d in range(10):
            block.labels.append(Label(at - 2, top + d * PITCH - 1.1, 4, str(d), 6.5, align="center", mono=True))

    def sign_column(group: str, header: str) -> None:
        nonlocal x
        block.labels.append(Label(x - 1, 4.2, PITCH + 2, header, 6, align="center"))
        for r, (value, shown) in enumerate((("+", "+"), ("-", "−"))):
            block.labels.append(Label(x - 3.2, top + r * PITCH - 1.3, 2.4, shown, 7, align="right", mono=True))
            block.bubble(f"{q}.{group}.{value}", group, value, x + PITCH / 2, top + r * PITCH, part=part)
        x += PITCH + 3.5

    if not student:
        sign_column("sign", labels["sign"])
    row_labels(x + 1)
    x += 3.0
    group = "student" if student else "digit"
    digits = STUDENT_DIGITS if student else size.digits
    for c in range(digits):
        cx = x + c * PITCH + PITCH / 2
        block.frames.append(Frame(cx - 2.2, 4.6 if not student else 4.2, 4.4, 4.4))
        for d in range(10):
            block.bubble(f"{q}.d{c}.{d}", group, str(d), cx, top + d * PITCH, column=c, part=part)
    x += digits * PITCH + 2.5
    if not student and size.decimals:
        block.labels.append(Label(x - 1, 4.2, PITCH + 2, labels["decimals"], 6, align="center"))
        for d in range(size.decimals + 1):
            block.bubble(f"{q}.dec.{d}", "decimals", str(d), x + PITCH / 2, top + d * PITCH, part=part)
        x += PITCH + 2.5
    if not student and size.exp_digits:
        x += 2.5
        sign_column("exp_sign", labels["exp"])
        for c in range(size.exp_digits):
            cx = x + c * PITCH + PITCH / 2
            block.frames.append(Frame(cx - 2.2, 4.6, 4.4, 4.4))
            for d in range(10):
                block.bubble(f"{q}.e{c}.{d}", "exp_digit", str(d), cx, top + d * PITCH, column=c, part=part)
        x += size.exp_digits * PITCH + 1.0
        row_labels(x + 1.5)
        x += 3.5
    block.w = x + 1.0
    return block


def parts_block(number: int, points: str, parts: list[tuple[str, GridSize]], labels: dict[str, str]) -> Block | None:
    """One captioned grid per component, left to right, wrapping to a new row of grids when the content width
    runs out; None when the grids do not fit one page's answer region (the caller falls back to score bubbles)."""
    grids = [
        grid_block(number, points, size, labels, part=i, caption=caption) for i, (caption, size) in enumerate(parts)
    ]
    block = Block(number, 0, 0)
    x = y = 0.0
    row_h = grids[0].h
    for grid in grids:
        # later grids reuse their empty question-number column as the gap between grids
        dx = x - (LABEL_W - 2.0) if x else 0.0
        if x and dx + grid.w > RIGHT - LEFT:
            x, dx, y = 0.0, 0.0, y + row_h + GAP
        block.bubbles += [_bubble_at(b, dx, y) for b in grid.bubbles]
        block.labels += [lb.moved(dx, y) for lb in grid.labels]
        block.frames += [fr.moved(dx, y) for fr in grid.frames]
        x = dx + grid.w
        block.w = max(block.w, x)
        block.h = y + row_h
    if block.h > BOTTOM - LATER_TOP:
        return None
    return block


# --- what each question gets ---------------------------------------------------------------------------------


def _key_number(pq: PrintedQuestion) -> tuple[float, float, float, bool] | None:
    """(key, rel_tol, abs_tol, integer) for an answer that is one number, else None."""
    q = pq.question
    if isinstance(q, GeneratedQuestion):
        spec, answer = q.problem.spec, q.problem.answer
        if spec.kind not in ("int", "float") or isinstance(answer, bool) or not isinstance(answer, int | float):
            return None
        return float(answer), spec.rel_tol, spec.abs_tol, spec.kind == "int"
    shape = q.shape()
    if isinstance(shape, NumberAnswer):
        return shape.value, 0.0, shape.tolerance, float(shape.value).is_integer()
    return None


def _key_parts(q: GeneratedQuestion) -> list[tuple[str, GridSize]] | None:
    """(caption, grid) per component of a shape, vector or record answer; None when there are more than
    ``MAX_PARTS`` (a long vector: its teacher scores it from the exam paper) or a component no grid can hold."""
    spec, answer = q.problem.spec, q.problem.answer
    if spec.kind == "record" and isinstance(answer, dict):
        named = [(name, answer[name]) for name in spec.fields]
    elif spec.kind in ("shape", "vector") and isinstance(answer, list | tuple):
        named = [(f"#{i + 1}", v) for i, v in enumerate(answer)]
    else:
        return None
    if not 1 <= len(named) <= MAX_PARTS:
        return None
    tol_below_one = max(spec.abs_tol, spec.rel_tol * max((abs(float(v)) for _, v in named), default=0)) < 0.5
    parts = []
    for caption, value in named:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        # a whole-number component (a shape's size, a receptive field) graded within less than one gets an
        # integer grid: a tolerance of 1e-6 on 195 would otherwise ask for six decimal columns nobody needs
        integer = spec.kind == "shape" or (isinstance(value, int) and tol_below_one)
        parts.append(
            (caption, grid_size(float(value), spec.rel_tol, spec.abs_tol, integer=integer, sig_figs=spec.sig_figs))
        )
    return parts


def question_block(pq: PrintedQuestion, lang: str, labels: dict[str, str]) -> Block:
    points = M.SHEET_POINTS.format(pq.points).get(lang)
    number = _key_number(pq)
    if number is not None:
        value, rel_tol, abs_tol, integer = number
        return grid_block(pq.number, points, grid_size(value, rel_tol, abs_tol, integer=integer), labels)
    q = pq.question
    if isinstance(q, GeneratedQuestion):  # several numbers (a shape, a vector, a record): a grid per component
        parts = _key_parts(q)
        block = parts_block(pq.number, points, parts, labels) if parts else None
        # too many components, or grids taller than a page: written on the exam paper, scored by the teacher
        return block or score_block(pq.number, points, pq.points, labels["teacher"])
    shape = q.shape()
    match shape:
        case ChoiceAnswer():
            return choice_block(pq.number, points, [(c.letter, c.letter) for c in shape.options])
        case TrueFalseAnswer():
            return choice_block(pq.number, points, [("T", labels["true"]), ("F", labels["false"])])
        case TextAnswer() | EssayAnswer():
            return score_block(pq.number, points, pq.points, labels["teacher"])
        case NumberAnswer():  # handled above: a number always gets a grid
            raise AssertionError("unreachable")
        case _:
            assert_never(shape)


# --- pages ---------------------------------------------------------------------------------------------------


def pack(blocks: list[Block], first_top: float, later_top: float) -> list[list[tuple[Block, float, float]]]:
    """Blocks placed in shelves, in order: [(block, x, y)] per page."""
    pages: list[list[tuple[Block, float, float]]] = [[]]
    x, y, shelf = LEFT, first_top, 0.0
    for block in blocks:
        if x > LEFT and x + block.w > RIGHT:  # next shelf
            x, y, shelf = LEFT, y + shelf + GAP, 0.0
        if y + block.h > BOTTOM and pages[-1]:  # next page
            pages.append([])
            x, y, shelf = LEFT, later_top, 0.0
        pages[-1].append((block, x, y))
        x += block.w + GAP * 2
        shelf = max(shelf, block.h)
    return pages


def exam_id(exam: BuiltExam) -> str:
    """Eight hex digits naming this build (its manifest without sheets): what the QR codes carry."""
    return hashlib.sha256(manifest_json(exam.manifest).encode()).hexdigest()[:8].upper()


def qr_runs(payload: str) -> tuple[int, list[list[tuple[int, int]]]]:
    """The QR code's side in modules (with its 4-module quiet zone) and its dark modules as runs per row."""
    import segno

    # One fixed mask pattern: segno would otherwise score all eight per code, half the layout's time for 100
    # versions; any mask is valid QR and decoders read them all (the simulated scans are decoded in tests/bench).
    code = segno.make_qr(payload, error="q", boost_error=False, mask=QR_MASK)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    runs: list[list[tuple[int, int]]] = []
    for row in rows:
        line: list[tuple[int, int]] = []
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                line.append((start, c - start))
                start = None
        runs.append(line)
    return len(rows), runs


CORNERS = (
    ("tl", MARK_INSET, MARK_INSET),
    ("tr", PAPER_W - MARK_INSET, MARK_INSET),
    ("bl", MARK_INSET, PAPER_H - MARK_INSET),
    ("br", PAPER_W - MARK_INSET, PAPER_H - MARK_INSET),
)


def sheet_labels(lang: str) -> dict[str, str]:
    texts = {
        "student": M.ANSWER_SHEET_STUDENT,
        "sign": M.ANSWER_SHEET_SIGN,
        "decimals": M.ANSWER_SHEET_DECIMALS,
        "exp": M.ANSWER_SHEET_EXP,
        "teacher": M.ANSWER_SHEET_TEACHER,
        "true": M.ANSWER_SHEET_TRUE,
        "false": M.ANSWER_SHEET_FALSE,
    }
    return {key: text.get(lang) for key, text in texts.items()}


def _header(exam: BuiltExam, code: str, copy: int, page: int, pages: int, payload: str) -> list[Label]:
    lang = exam.lang
    line = M.ANSWER_SHEET_LINE.format(version=code, copy=copy, page=page, pages=pages).get(lang)
    return [
        Label(LEFT, 8.5, 148, exam.spec.title.bi().get(lang) + " · " + M.ANSWER_SHEET_TITLE.get(lang), 12, bold=True),
        Label(LEFT, 16.5, 148, line, 10, bold=True),
        Label(QR_X - 4, QR_Y + QR_SIZE + 0.8, QR_SIZE + 8, payload, 6.5, align="center", mono=True),
    ]


def _first_page_extras(exam: BuiltExam) -> tuple[Block, list[Label], list[Frame]]:
    lang = exam.lang
    labels = sheet_labels(lang)
    how = M.ANSWER_SHEET_HOW_CANCEL if exam.spec.cancel_by_blackening else M.ANSWER_SHEET_HOW
    texts = [
        Label(LEFT, 24.5, 20, M.SHEET_NAME.get(lang) + M.COLON.get(lang), 9),
        Label(LEFT, 31.0, 148, how.get(lang), 7.5),
    ]
    student = grid_block(None, "", GridSize(STUDENT_DIGITS, 0, 0), labels)
    x0 = LEFT + student.w + 8
    texts.append(Label(x0, FIRST_TOP + 0.6, RIGHT - x0, M.ANSWER_SHEET_NUMBERS.get(lang), 7.5))
    return student, texts, [Frame(LEFT + 14, 28.0, 80, 0)]


def layout_sheets(exam: BuiltExam, copies: int = 1) -> tuple[AnswerSheets, list[PageDrawing]]:
    """Every page of every copy of every version, in PDF order, as manifest pages and drawings."""
    from quizzer.errors import BadParameters

    if not 1 <= copies <= MAX_COPIES:
        raise BadParameters(f"--copies must be between 1 and {MAX_COPIES}, not {copies}")
    ident = exam_id(exam)
    labels = sheet_labels(exam.lang)
    student, first_texts, first_frames = _first_page_extras(exam)
    pages_out: list[SheetPage] = []
    drawings: list[PageDrawing] = []
    for version in exam.versions:
        # Within a section, shorter answer areas first (bubble rows, then score rows, then digit grids): shelves
        # of equal height waste no paper. Every block is numbered, so the order on the sheet may differ.
        ordered = sorted(version.questions, key=lambda pq: pq.section)
        blocks = [question_block(pq, exam.lang, labels) for pq in ordered]
        sections = [pq.section for pq in ordered]
        blocks = [b for _, b in sorted(zip(sections, blocks, strict=True), key=lambda sb: (sb[0], sb[1].h))]
        packed = pack(blocks, FIRST_TOP + student.h + GAP * 2, LATER_TOP)
        packed[0].insert(0, (student, LEFT, FIRST_TOP))
        for copy in range(1, copies + 1):
            for p, placed in enumerate(packed, start=1):
                payload = f"QZ1|{ident}|{version.code}|{copy}|{p}"
                drawing = _page(placed, len(drawings) + 1, ident, version.code, copy, p, len(packed), payload)
                drawing.labels[:0] = _header(exam, version.code, copy, p, len(packed), payload)
                if p == 1:
                    drawing.labels += first_texts
                    drawing.frames += first_frames
                pages_out.append(drawing.page)
                drawings.append(drawing)
    sheets = AnswerSheets(
        student_digits=STUDENT_DIGITS, cancel_by_blackening=exam.spec.cancel_by_blackening, pages=pages_out, exam=ident
    )
    return sheets, drawings


def _page(
    placed: list[tuple[Block, float, float]],
    pdf_page: int,
    ident: str,
    code: str,
    copy: int,
    page: int,
    pages: int,
    payload: str,
) -> PageDrawing:
    bubbles: list[dict[str, Any]] = []
    regions: list[SheetRegion] = []
    labels: list[Label] = []
    frames: list[Frame] = []
    for block, x, y in placed:
        bubbles += [_bubble_at(b, x, y) for b in block.bubbles]
        labels += [lb.moved(x, y) for lb in block.labels]
        frames += [fr.moved(x, y) for fr in block.frames]
        regions.append(
            SheetRegion(question=block.question, x=_r(x - 1), y=_r(y - 1), w=_r(block.w + 2), h=_r(block.h + 2))
        )
    _, rows = qr_runs(payload)
    sheet = SheetPage.model_validate(
        dict(
            pdf_page=pdf_page,
            exam=ident,
            version=code,
            copy=copy,
            page=page,
            pages=pages,
            qr=SheetQR(payload=payload, x=QR_X, y=QR_Y, size=QR_SIZE),
            corner_marks=[SheetMark(corner=c, x=cx, y=cy, size=MARK_SIZE) for c, cx, cy in CORNERS],
            bubbles=bubbles,
            regions=regions,
        )
    )
    return PageDrawing(sheet, labels, frames, rows)


def drawing_data(drawings: list[PageDrawing], lang: str, date: str) -> dict[str, Any]:
    """What the typst template draws, as JSON-ready data (every string is data, never markup)."""

    def label(lb: Label) -> dict[str, Any]:
        return {
            "x": _r(lb.x), "y": _r(lb.y), "w": _r(lb.w), "text": lb.text, "size": lb.size,
            "align": lb.align, "bold": lb.bold, "mono": lb.mono,
        }  # fmt: skip

    pages = []
    for d in drawings:
        side = len(d.qr_rows)
        module = d.page.qr.size / side
        pages.append(
            {
                "marks": [m.model_dump() for m in d.page.corner_marks],
                "bubbles": [{"x": b.x, "y": b.y, "w": b.w, "h": b.h} for b in d.page.bubbles],
                "labels": [label(lb) for lb in d.labels],
                "frames": [{"x": _r(f.x), "y": _r(f.y), "w": _r(f.w), "h": _r(f.h)} for f in d.frames],
                "qr": {
                    "x": d.page.qr.x,
                    "y": d.page.qr.y,
                    "module": module,
                    "runs": [[r, c, n] for r, row in enumerate(d.qr_rows) for c, n in row],
                },
            }
        )
    return {"lang": lang, "date": date, "pages": pages}
