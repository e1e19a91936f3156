"""The review queue: what the reader would not decide alone, for a person to settle.

``review.csv`` has one row per question in doubt (and per unreadable student-number grid): which sheet,
which question, what the reader saw, why it stopped, and an empty ``answer`` column for the teacher.
``review.html`` shows the same rows with the scanned area cropped and straightened, the doubtful bubbles
ringed in red; the crops are PNGs embedded as ``data:`` URIs, so the page is one file, and every text on it
is escaped. The teacher fills ``answer`` (as it would be typed in the answers CSV: ``B``, ``AC``, ``-4.2``;
the points for an open item; the id for a student number; ``-`` for "no answer") and runs the scan again
with ``--resolve review.csv``. A row left empty stays in review and earns nothing, with the reason.
"""

from __future__ import annotations

import base64
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from quizzer import messages as M
from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.grade import Issue
from quizzer.fontsubset import FONT_FAMILY, embedded_font_css
from quizzer.safety import strip_controls, write_csv
from quizzer.text import BiText

REVIEW_HEADER = ("version", "copy", "question", "kind", "read", "why", "file", "page", "answer")
STUDENT_QUESTION = "student"  # the question column's value for the student-number grid
NO_ANSWER = "-"
MAX_REVIEW_BYTES = 5_000_000

ReviewKey = tuple[str, int, str]  # version, copy, question number (or "student")


@dataclass(frozen=True)
class ReviewItem:
    version: str
    copy: int
    question: int | None
    kind: str
    read: str
    why: BiText
    file: Path
    page: int
    crop: bytes = b""

    @property
    def key(self) -> ReviewKey:
        return (self.version, self.copy, question_label(self.question))


def question_label(question: int | None) -> str:
    return STUDENT_QUESTION if question is None else str(question)


def _where(item: ReviewItem, answer: Callable[[ReviewItem], str]) -> tuple[str, int, str]:
    return str(item.file), item.page, answer(item)


def write_review_csv(items: list[ReviewItem], path: Path, lang: str, settled: dict[ReviewKey, str]) -> None:
    """The queue, with the answers already settled filled in: the file stays the whole record of the review."""

    def answer(item: ReviewItem) -> str:
        if item.key not in settled:
            return ""
        return settled[item.key] or NO_ANSWER

    with path.open("w", encoding="utf-8", newline="") as handle:
        write_csv(
            handle,
            REVIEW_HEADER,
            (
                (i.version, i.copy, question_label(i.question), i.kind, i.read, i.why.get(lang), *_where(i, answer))
                for i in items
            ),
        )


def _uncell(text: str) -> str:
    """Undo the leading ' that keeps a spreadsheet from running ``-4.2`` or ``=…`` as a formula."""
    return text[1:] if text.startswith("'") and len(text) > 1 and text[1] in "=+-@\t\r" else text


def read_resolutions(path: Path) -> tuple[dict[ReviewKey, str], list[Issue]]:
    """The teacher's answers from an edited review.csv: (version, copy, question) → answer (``""`` = no answer)."""
    if not path.is_file():
        raise NotFound(f"{path}: no such review file")
    if path.stat().st_size > MAX_REVIEW_BYTES:
        raise QuizzerError(f"{path}: larger than {MAX_REVIEW_BYTES // 1_000_000} MB; is this review.csv?")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuizzerError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = [strip_controls(h).strip().lower() for h in next(reader, [])]
    needed = ("version", "copy", "question", "answer")
    missing = [c for c in needed if c not in header]
    if missing:
        raise QuizzerError(f"{path}:1: lacks column(s) {', '.join(missing)}; expected {','.join(REVIEW_HEADER)}")
    index = {c: header.index(c) for c in needed}
    answers: dict[ReviewKey, str] = {}
    issues: list[Issue] = []
    for line, cells in enumerate(reader, start=2):
        if len(cells) < len(header):
            if any(c.strip() for c in cells):
                issues.append(Issue(M.ISSUE_SHORT_ROW.format(cells=len(cells), columns=len(header)), line))
            continue
        value = {c: _uncell(strip_controls(cells[i]).strip()) for c, i in index.items()}
        if not value["answer"]:
            continue  # not decided yet: stays in review
        if not value["copy"].isdigit():
            issues.append(Issue(M.SCAN_RESOLVE_BAD_COPY, line))
            continue
        key = (value["version"], int(value["copy"]), value["question"].lower())
        answers[key] = "" if value["answer"] == NO_ANSWER else value["answer"]
    return answers, issues


STYLE = """
body{font-family:'FONT_FAMILY','Noto Sans CJK SC','Microsoft YaHei',system-ui,sans-serif;margin:1.5rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;
vertical-align:top}th{background:#f4f6f8}img{max-width:420px;border:1px solid #ccc}.why{color:#b00020}
code{background:#f4f6f8;padding:0 .2rem}.meta{color:#555}
"""


def render_review_html(items: list[ReviewItem], title: str, lang: str) -> str:
    rows = []
    for i in items:
        image = (
            f'<img alt="{escape(question_label(i.question))}" src="data:image/png;base64,'
            f'{base64.b64encode(i.crop).decode("ascii")}">'
            if i.crop
            else ""
        )
        rows.append(
            "<tr>"
            f"<td>{escape(i.version)}</td><td>{i.copy}</td><td>{escape(question_label(i.question))}</td>"
            f"<td><code>{escape(i.read) or '∅'}</code></td><td class=why>{escape(i.why.get(lang))}</td>"
            f"<td>{image}<div class=meta>{escape(i.file.name)} p.{i.page}</div></td>"
            "</tr>"
        )
    head = "".join(f"<th>{escape(column.get(lang))}</th>" for column in M.SCAN_REVIEW_COLUMNS)
    how = escape(M.SCAN_REVIEW_HOW.get(lang))
    count = escape(M.SCAN_REVIEW_COUNT.format(n=len(items)).get(lang))
    body = (
        f"<h1>{escape(title)}</h1><p class=meta>{count}</p><p>{how}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>"
    )
    head_html = f"<title>{escape(title)} — {escape(M.SCAN_REVIEW_TITLE.get(lang))}</title>"
    # The page carries the CJK font subset of its own text (crops are images, left out), as every HTML page does.
    font = embedded_font_css(head_html + re.sub(r'src="data:[^"]*"', "", body))
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"{head_html}<style>{font}{STYLE.replace('FONT_FAMILY', FONT_FAMILY)}</style></head><body>{body}"
    )
