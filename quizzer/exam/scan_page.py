"""Reading one scanned page: which sheet page it is, where it lies, and every question's marks on it.

A page that cannot be read (no QR code, an unknown exam, too few corner marks) comes back ``failed`` with
the reason; it never raises, so the batch goes on.

Page confidence = (share of the page's bubbles whose fill is clearly out of the review band: at most
``CLEAR_EMPTY`` or at least ``CLEAR_FILLED``) × (registration quality: 1 − the corner marks' affine residual / 1.5 mm, or the QR code's
distance from where the fitted map puts it / 4 mm, whichever is worse). 1.0 is a clean scan with firm
marks; a page with unclear bubbles or a strained fit scores lower even where nothing went to review.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from quizzer import messages as M
from quizzer.exam.scan_answers import QuestionRead, read_question
from quizzer.exam.scan_image import PageImage
from quizzer.exam.scan_layout import AnswerSheets, SheetPage, paper_size, parse_payload
from quizzer.text import BiText

if TYPE_CHECKING:
    import numpy as np

    from quizzer.exam.scan_locate import Registration
    from quizzer.exam.scan_marks import BubbleRead

CROP_PX_PER_MM = 6.0  # review crops: legible digits, small enough to embed dozens in one HTML page
CROP_MARGIN_MM = 2.0


@dataclass
class PageResult:
    file: Path
    number: int
    status: Literal["read", "review", "failed"]
    reason: BiText | None = None
    failure: str | None = None  # key of SCAN_PAGE_FAILED, for scripts
    layout: SheetPage | None = None
    confidence: float = 0.0
    questions: list[QuestionRead] = field(default_factory=list)
    crops: dict[int | None, bytes] = field(default_factory=dict)  # PNG of each question sent to review
    bubbles: list[BubbleRead] = field(default_factory=list)  # every bubble's fill and state
    marks_used: int = 0
    turned: bool = False

    def to_json(self, lang: str) -> dict:
        layout = self.layout
        return {
            "file": str(self.file),
            "page": self.number,
            "exam": layout.exam if layout else None,
            "version": layout.version if layout else None,
            "copy": layout.copy_ if layout else None,
            "sheet_page": layout.page if layout else None,
            "status": self.status,
            "reason": self.reason.get(lang) if self.reason else None,
            "failure": self.failure,
            "confidence": round(self.confidence, 3),
            "marks_used": self.marks_used,
            "turned": self.turned,
        }


def _failed(image: PageImage, key: str, **values: object) -> PageResult:
    reason = M.SCAN_PAGE_FAILED[key].format(**values)
    return PageResult(image.file, image.number, "failed", reason, key)


def pixels_per_mm(image: PageImage, paper_width: float, paper_height: float) -> float:
    """From the recorded dpi, else from the image size (a scan is the whole sheet, portrait either way up)."""
    if image.dpi:
        return image.dpi / 25.4
    assert image.gray is not None
    height, width = image.gray.shape[:2]
    long_side, short_side = max(height, width), min(height, width)
    return (long_side / paper_height + short_side / paper_width) / 2


def read_page(image: PageImage, sheets: AnswerSheets, multiple: dict[tuple[str, int], bool]) -> PageResult:
    """Everything one page says; ``multiple[(version, question)]`` is True for multiple-choice items."""
    from quizzer.exam.scan_locate import decode_qr, register
    from quizzer.exam.scan_marks import measure

    if image.gray is None:
        return _failed(image, "unreadable", detail=image.error or "?")
    gray = image.gray
    codes = decode_qr(gray)
    if not codes:
        return _failed(image, "no-qr")
    known = {sheets.exam} if sheets.exam else {p.exam for p in sheets.pages}
    ours = [(c, parse_payload(c.payload)) for c in codes]
    valid = [(c, p) for c, p in ours if p is not None]
    if not valid:
        return _failed(image, "bad-qr", payload=repr(codes[0].payload[:40]))
    matching = [(c, p) for c, p in valid if p[0] in known]
    if not matching:
        return _failed(image, "unknown-exam", exam=repr(valid[0][1][0][:40]), known=", ".join(sorted(known)))
    qr, (exam, version, copy, page_number) = matching[0]
    layout = next(
        (p for p in sheets.pages if (p.exam, p.version, p.copy_, p.page) == (exam, version, copy, page_number)),
        None,
    )
    if layout is None:
        return _failed(image, "unknown-page", version=version, copy=copy, page=page_number)
    ppm = pixels_per_mm(image, *paper_size(sheets))
    registration = register(gray, layout, qr, ppm)
    if registration is None:
        failed = _failed(image, "no-marks")
        failed.layout = layout
        return failed
    reads = measure(gray, registration.matrix, layout.bubbles, registration.paper, registration.ink)
    by_question: dict[int | None, list[BubbleRead]] = defaultdict(list)
    for read in reads:
        by_question[None if read.bubble.group == "student" else read.bubble.question].append(read)
    questions = [
        read_question(
            number,
            group,
            multiple=multiple.get((version, number), False) if number is not None else False,
            cancel_by_blackening=sheets.cancel_by_blackening,
        )
        for number, group in sorted(by_question.items(), key=lambda kv: -1 if kv[0] is None else kv[0])
    ]
    clear = sum(1 for r in reads if r.clear) / len(reads) if reads else 1.0
    result = PageResult(
        image.file,
        image.number,
        "review" if any(q.status == "review" for q in questions) else "read",
        layout=layout,
        confidence=clear * registration.quality,
        questions=questions,
        bubbles=reads,
        marks_used=registration.marks,
        turned=registration.turned,
    )
    for q in questions:
        if q.status == "review":
            result.crops[q.question] = crop_png(gray, registration, layout, q)
    return result


def _box(layout: SheetPage, q: QuestionRead) -> tuple[float, float, float, float]:
    """The question's answer area in mm (its region, else the bubbles' bounding box)."""
    for region in layout.regions:
        if region.question == q.question:
            return region.x, region.y, region.w, region.h
    own = [b for b in layout.bubbles if (b.group == "student") == (q.question is None) and b.question == q.question]
    left = min(b.x - b.w / 2 for b in own)
    top = min(b.y - b.h / 2 for b in own)
    right = max(b.x + b.w / 2 for b in own)
    bottom = max(b.y + b.h / 2 for b in own)
    return left, top, right - left, bottom - top


def crop_png(gray: np.ndarray, registration: Registration, layout: SheetPage, q: QuestionRead) -> bytes:
    """The question's area as scanned, straightened (also on a page fed upside down), unclear bubbles ringed red."""
    import cv2
    import numpy as np

    x, y, w, h = _box(layout, q)
    x, y, w, h = x - CROP_MARGIN_MM, y - CROP_MARGIN_MM, w + 2 * CROP_MARGIN_MM, h + 2 * CROP_MARGIN_MM
    s = CROP_PX_PER_MM
    to_mm = np.array([[1 / s, 0, x], [0, 1 / s, y], [0, 0, 1]])
    size = (max(1, round(w * s)), max(1, round(h * s)))
    crop = cv2.warpPerspective(
        gray,
        registration.matrix @ to_mm,
        size,
        flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    colour = cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    unclear = set(q.unclear)
    for b in layout.bubbles:
        if b.id in unclear:
            centre = (round((b.x - x) * s), round((b.y - y) * s))
            axes = (round(b.w / 2 * s) + 3, round(b.h / 2 * s) + 3)
            cv2.ellipse(colour, centre, axes, 0, 0, 360, (0, 0, 220), 2)
    ok, data = cv2.imencode(".png", colour)
    return bytes(data) if ok else b""
