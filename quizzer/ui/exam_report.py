"""Rendering a graded exam in the terminal with rich. Every student-derived string goes in as a Text object,
so an answer like ``[bold]x[/]`` is shown as typed, never interpreted as markup."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from quizzer.exam.analysis import FLAG_TEXT, Analysis
from quizzer.exam.grade import VERDICT_TEXT, ExamGrade, StudentReport
from quizzer.exam.report import L, feedback_text, fmt_num, fmt_points

MARK = {"correct": "✔", "partial": "½", "incorrect": "✘", "unanswered": "·", "unreadable": "?", "missing": "-",
        "conflict": "!"}
STYLE = {"correct": "green", "partial": "yellow"}


def marks(report: StudentReport) -> Text:
    text = Text()
    for q in report.questions:
        text.append(MARK[q.verdict], style=STYLE.get(q.verdict, "red"))
    return text


def render_grade(out: Console, grade: ExamGrade, analysis: Analysis, paths: list[Path], lang: str,
                 student: str | None = None) -> None:
    h = L[lang]
    table = Table(title=Text(f"{grade.manifest.title} · {h['report']}"))
    for name, justify in ((h["student"], "left"), (h["version"], "left"), (h["score"], "right"),
                          (h["percent"], "right"), (h["verdict"], "left")):
        table.add_column(name, justify=justify)
    for s in grade.students:
        table.add_row(Text(s.student), Text(s.version), f"{fmt_points(s.score)} / {fmt_points(s.total)}",
                      f"{s.percent:.0f}%", marks(s))
    out.print(table)
    legend = "  ".join(f"{MARK[v]} {VERDICT_TEXT[v].get(lang)}" for v in MARK)
    out.print(Text(legend, style="dim"))
    summary = (f"{len(grade.students)} {h['students']} · {h['mean']} {fmt_num(analysis.mean, 1)}% · "
               f"{h['median']} {fmt_num(analysis.median, 1)}% · {h['sd']} {fmt_num(analysis.stdev, 1)}")
    out.print(Text(summary))
    if grade.issues:
        out.print(Text(f"\n{h['issues']} ({len(grade.issues)}):", style="bold yellow"))
        for issue in grade.issues:
            out.print(Text(f"  {issue.text(lang)}"))
    items = Table(title=Text(h["items"]))
    for name, justify in ((h["question"], "left"), (h["facility"], "right"), (h["disc"], "right"),
                          (h["ul"], "right"), (h["flags"], "left")):
        items.add_column(name, justify=justify)
    for i in analysis.items:
        flags = ", ".join(FLAG_TEXT[f].get(lang) for f in i.flags)
        items.add_row(Text(i.label), "" if i.facility is None else f"{i.facility:.0%}", fmt_num(i.discrimination),
                      fmt_num(i.upper_lower), Text(flags, style="red"))
    out.print(items)
    for s in grade.students:
        if s.student == student:
            out.print(student_table(s, lang))
    if grade.recorded or grade.already_recorded:
        done = "已记录到学习档案" if lang == "zh" else "recorded in progress profiles"
        again = "此前已记录，未重复" if lang == "zh" else "already recorded earlier, not added again"
        if grade.recorded:
            out.print(Text(f"{done}: {', '.join(grade.recorded)}"))
        if grade.already_recorded:
            out.print(Text(f"{again}: {', '.join(grade.already_recorded)}", style="yellow"))
    for path in paths:
        out.print(Text(f"→ {path}", style="dim"))


def student_table(report: StudentReport, lang: str) -> Table:
    h = L[lang]
    table = Table(title=Text(f"{report.student} · {h['version']} {report.version} · "
                             f"{fmt_points(report.score)} / {fmt_points(report.total)}"), show_lines=True)
    for key in ("question", "points", "verdict", "answer", "expected", "diagnosis", "explanation"):
        table.add_column(h[key])
    for q in report.questions:
        table.add_row(str(q.number), f"{fmt_points(q.earned)} / {fmt_points(q.points)}",
                      Text(VERDICT_TEXT[q.verdict].get(lang), style=STYLE.get(q.verdict, "red")), Text(q.raw or ""),
                      Text(q.expected.get(lang)), Text(q.diagnosis or ""), Text(feedback_text(q, lang)))
    return table
