"""Rendering a graded exam in the terminal with rich. Every student-derived string goes in as a Text object,
so an answer like ``[bold]x[/]`` is shown as typed, never interpreted as markup."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from quizzer import messages as M
from quizzer.exam.analysis import FLAG_TEXT, Analysis
from quizzer.exam.grade import VERDICT_TEXT, ExamGrade, StudentReport
from quizzer.exam.report import STUDENT_COLUMNS, feedback_text, fmt_num, fmt_points, summary_text
from quizzer.text import BiText

MARK = {
    "correct": "✔",
    "partial": "½",
    "incorrect": "✘",
    "unanswered": "·",
    "unreadable": "?",
    "missing": "-",
    "conflict": "!",
}
STYLE = {"correct": "green", "partial": "yellow"}


def marks(report: StudentReport) -> Text:
    text = Text()
    for q in report.questions:
        text.append(MARK[q.verdict], style=STYLE.get(q.verdict, "red"))
    return text


def render_grade(
    out: Console, grade: ExamGrade, analysis: Analysis, paths: list[Path], lang: str, student: str | None = None
) -> None:
    table = Table(title=Text(f"{grade.manifest.title} · {M.REPORT_TITLE.get(lang)}"))
    student_columns: tuple[tuple[BiText, JustifyMethod], ...] = (
        (M.REPORT_STUDENT, "left"),
        (M.REPORT_VERSION, "left"),
        (M.SCORE, "right"),
        (M.REPORT_PERCENT, "right"),
        (M.REPORT_VERDICT, "left"),
    )
    for name, justify in student_columns:
        table.add_column(name.get(lang), justify=justify, overflow="fold")
    for s in grade.students:
        table.add_row(
            Text(s.student),
            Text(s.version),
            f"{fmt_points(s.score)} / {fmt_points(s.total)}",
            f"{s.percent:.0f}%",
            marks(s),
        )
    out.print(table)
    legend = "  ".join(f"{MARK[v]} {VERDICT_TEXT[v].get(lang)}" for v in MARK)
    out.print(Text(legend, style="dim"))
    out.print(Text(summary_text(grade, analysis, lang)))
    if grade.issues:
        out.print(Text(f"\n{M.REPORT_ISSUES.get(lang)} ({len(grade.issues)}):", style="bold yellow"))
        for issue in grade.issues:
            out.print(Text(f"  {issue.text(lang)}"))
    items = Table(title=Text(M.REPORT_ITEMS.get(lang)))
    item_columns: tuple[tuple[BiText, JustifyMethod], ...] = (
        (M.REPORT_QUESTION, "left"),
        (M.REPORT_FACILITY, "right"),
        (M.REPORT_DISCRIMINATION, "right"),
        (M.REPORT_UPPER_LOWER, "right"),
        (M.REPORT_FLAGS, "left"),
    )
    for name, justify in item_columns:
        # fold, never cut: a question's label (an item id or family name) is what the teacher looks up
        items.add_column(name.get(lang), justify=justify, overflow="fold")
    for i in analysis.items:
        flags = ", ".join(FLAG_TEXT[f].get(lang) for f in i.flags)
        items.add_row(
            Text(i.label),
            "" if i.facility is None else f"{i.facility:.0%}",
            fmt_num(i.discrimination),
            fmt_num(i.upper_lower),
            Text(flags, style="red"),
        )
    out.print(items)
    for s in grade.students:
        if s.student == student:
            out.print(student_table(s, lang))
    if grade.recorded or grade.already_recorded:
        if grade.recorded:
            out.print(Text(M.label(M.REPORT_RECORDED, lang) + ", ".join(grade.recorded)))
        if grade.already_recorded:
            already = M.label(M.REPORT_ALREADY_RECORDED, lang) + ", ".join(grade.already_recorded)
            out.print(Text(already, style="yellow"))
    for path in paths:
        out.print(Text(f"→ {path}", style="dim"))


def student_table(report: StudentReport, lang: str) -> Table:
    table = Table(
        title=Text(
            f"{report.student} · {M.REPORT_VERSION.get(lang)} {report.version} · "
            f"{fmt_points(report.score)} / {fmt_points(report.total)}"
        ),
        show_lines=True,
    )
    for column in STUDENT_COLUMNS:
        table.add_column(column.get(lang), overflow="fold")
    for q in report.questions:
        table.add_row(
            str(q.number),
            f"{fmt_points(q.earned)} / {fmt_points(q.points)}",
            Text(VERDICT_TEXT[q.verdict].get(lang), style=STYLE.get(q.verdict, "red")),
            Text(q.raw or ""),
            Text(q.expected.get(lang)),
            Text(q.diagnosis or ""),
            Text(feedback_text(q, lang)),
        )
    return table
