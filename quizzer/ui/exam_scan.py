"""Rendering a scan run in the terminal: one line per page (status, confidence, why it failed), then the
same grade tables as ``exam grade``. File names and QR payloads are the user's: they go in as Text objects."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizzer import messages as M
from quizzer.exam.scan import ScanRun

STATUS_STYLE = {"read": "green", "review": "yellow", "failed": "red"}


def render_scan(out: Console, run: ScanRun, lang: str, student: str | None = None) -> None:
    table = Table(title=Text(M.SCAN_PAGES_TITLE.get(lang)))
    for column in M.SCAN_COLUMNS:
        table.add_column(Text(column.get(lang)), overflow="fold")
    for page in run.pages:
        layout = page.layout
        notes = []
        if page.reason is not None:
            notes.append(page.reason.get(lang))
        if page.turned:
            notes.append(M.SCAN_TURNED.get(lang))
        if page.marks_used == 3:
            notes.append(M.SCAN_THREE_MARKS.get(lang))
        table.add_row(
            Text(page.file.name),
            Text(str(page.number)),
            Text(layout.version if layout else ""),
            Text(str(layout.copy_) if layout else ""),
            Text(f"{layout.page}/{layout.pages}" if layout else ""),
            Text(M.SCAN_STATUS[page.status].get(lang), style=STATUS_STYLE[page.status]),
            Text("" if page.status == "failed" else f"{page.confidence:.2f}"),
            Text("; ".join(notes)),
        )
    out.print(table)
    counts = {s: sum(1 for p in run.pages if p.status == s) for s in STATUS_STYLE}
    html = next((str(p) for p in run.files if p.name == "review.html"), "review.html")
    summary = M.SCAN_SUMMARY.format(
        read=counts["read"], review=counts["review"], failed=counts["failed"], pending=len(run.pending), html=html
    )
    out.print(Text(summary.get(lang)))
    if run.grade is not None and run.analysis is not None:
        from quizzer.ui.exam_report import render_grade

        reports = [p for p in run.files if p.name not in ("review.csv", "review.html")]
        render_grade(out, run.grade, run.analysis, reports, lang, student)
