"""Writing a graded exam: ``scores.csv``, ``report.csv``, ``item-analysis.csv`` and a printable ``report.html``.

Every CSV goes through ``quizzer.safety.write_csv`` (a student's answer ``=HYPERLINK(…)`` stays text); every
text in the HTML is escaped; the page is self-contained (the one chart, a histogram of scores, is inline SVG, and
the page carries the subset of the bundled CJK font it uses, ``quizzer.fontsubset``).
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from quizzer import messages as M
from quizzer.errors import NotFound, QuizzerError
from quizzer.exam.analysis import FLAG_TEXT, Analysis, ItemStats
from quizzer.exam.grade import VERDICT_TEXT, ExamGrade, GradedQuestion
from quizzer.fontsubset import FONT_FAMILY, embedded_font_css
from quizzer.safety import write_csv

if TYPE_CHECKING:
    from quizzer.store.engine import Store

FILES = ("scores.csv", "report.csv", "item-analysis.csv", "report.html")
SHOWN_FEEDBACK = ("diagnosis", "why", "point-ok", "point-miss", "info", "solution", "explanation", "correction")

# The columns of the per-student tables (HTML here, the terminal in ``quizzer.ui.exam_report``).
STUDENT_COLUMNS = (
    M.REPORT_QUESTION,
    M.REPORT_POINTS,
    M.REPORT_VERDICT,
    M.REPORT_ANSWER,
    M.REPORT_EXPECTED,
    M.REPORT_DIAGNOSIS,
    M.REPORT_EXPLANATION,
)
ITEM_COLUMNS = (
    M.REPORT_QUESTION,
    M.REPORT_NUMBERS,
    M.REPORT_N,
    M.REPORT_FACILITY,
    M.REPORT_DISCRIMINATION,
    M.REPORT_UPPER_LOWER,
    M.REPORT_OPTIONS,
    M.REPORT_MISTAKES,
    M.REPORT_FLAGS,
)

STYLE = (
    """
body{font-family:'"""
    + FONT_FAMILY
    + """','Noto Sans CJK SC','Microsoft YaHei',system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f6f8}.num{text-align:right;white-space:nowrap}
.flag{color:#b00020;font-weight:600}.meta{color:#555}.correct{color:#1b7f3b}.partial{color:#a06000}
.incorrect,.unreadable,.missing,.conflict,.unanswered{color:#b00020}.fb{white-space:pre-wrap;font-size:.9em;color:#333}
.student th,.v{white-space:nowrap}.student td{overflow-wrap:break-word}.student td.fb{width:45%}
svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none;font-size:11px}.student{break-before:page}}
"""
)


def fmt_num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def fmt_points(value: float) -> str:
    return f"{value:g}"


def options_text(stats: ItemStats, lang: str) -> str:
    return " | ".join(f"{o.letter}{'*' if o.correct else ''} {o.chosen}" for o in stats.options)


def mistakes_text(stats: ItemStats) -> str:
    return "; ".join(f"{tag} ×{n}" for tag, n in stats.mistakes)


def flags_text(stats: ItemStats, lang: str) -> str:
    return "; ".join(FLAG_TEXT[f].get(lang) for f in stats.flags)


def numbers_text(stats: ItemStats) -> str:
    return " ".join(f"{code}:{n}" for code, n in sorted(stats.numbers.items()))


def summary_text(grade: ExamGrade, analysis: Analysis, lang: str) -> str:
    return (
        f"{len(grade.students)} {M.REPORT_STUDENTS.get(lang)} · {M.REPORT_MEAN.get(lang)} "
        f"{fmt_num(analysis.mean, 1)}% · {M.REPORT_MEDIAN.get(lang)} {fmt_num(analysis.median, 1)}% · "
        f"{M.REPORT_SD.get(lang)} {fmt_num(analysis.stdev, 1)}"
    )


def feedback_text(graded: GradedQuestion, lang: str) -> str:
    lines = [f.text.get(lang) for f in graded.feedback if f.kind in SHOWN_FEEDBACK]
    if graded.note:
        lines.insert(0, graded.note.get(lang))
    return "\n".join(lines)


def prepare_output(out: Path, *, force: bool) -> None:
    """Create ``out`` (its parent must exist); refuse to overwrite an earlier report unless ``force``."""
    if not out.parent.is_dir():
        raise NotFound(f"{out.parent}: no such directory")
    if out.exists() and not out.is_dir():
        raise QuizzerError(f"{out} exists and is not a directory")
    existing = [name for name in FILES if (out / name).exists()]
    if existing and not force:
        raise QuizzerError(f"{out} already holds {', '.join(existing)}; use --force to overwrite")
    out.mkdir(exist_ok=True)


def grade_to_files(
    store: Store,
    directory: Path,
    answers: Path,
    *,
    out: Path | None = None,
    force: bool = False,
    roster: list[str] | None = None,
    record: bool = False,
    lang: str | None = None,
) -> tuple[ExamGrade, Analysis, list[Path]]:
    """Grade, analyse and write every report file (into ``directory/graded`` unless ``out``).

    The exam directory and the output are checked before anything is graded or recorded, so a refused
    overwrite leaves the store untouched.
    """
    from quizzer.exam.analysis import analyse
    from quizzer.exam.grade import grade_exam
    from quizzer.exam.questions import load_manifest

    lang = lang or load_manifest(directory).lang  # by default, the language the exam was printed in
    target = out or directory / "graded"
    prepare_output(target, force=force)
    graded = grade_exam(store, directory, answers, roster=roster, record=record, lang=lang)
    analysis = analyse(graded)
    return graded, analysis, write_reports(graded, analysis, target, lang, force=True)


def write_reports(grade: ExamGrade, analysis: Analysis, out: Path, lang: str, *, force: bool = False) -> list[Path]:
    prepare_output(out, force=force)
    paths = [out / name for name in FILES]
    with paths[0].open("w", encoding="utf-8", newline="") as handle:
        write_csv(
            handle,
            ("student", "version", "score", "total", "percent"),
            ((s.student, s.version, s.score, s.total, round(s.percent, 2)) for s in grade.students),
        )
    with paths[1].open("w", encoding="utf-8", newline="") as handle:
        write_csv(
            handle,
            (
                "student",
                "version",
                "question",
                "item",
                "points",
                "earned",
                "verdict",
                "answer",
                "expected",
                "diagnosis",
                "note",
            ),
            (
                (
                    s.student,
                    s.version,
                    q.number,
                    q.exam.key,
                    q.points,
                    q.earned,
                    q.verdict,
                    q.raw or "",
                    q.expected.get(lang),
                    q.diagnosis or "",
                    q.note.get(lang) if q.note else "",
                )
                for s in grade.students
                for q in s.questions
            ),
        )
    with paths[2].open("w", encoding="utf-8", newline="") as handle:
        write_csv(
            handle,
            (
                "question",
                "item",
                "source",
                "kind",
                "topic",
                "numbers",
                "points",
                "n",
                "facility",
                "discrimination",
                "upper_lower",
                "no_answer",
                "options",
                "mistakes",
                "flags",
            ),
            (
                (
                    i.label,
                    i.key,
                    i.source,
                    i.kind,
                    i.topic,
                    numbers_text(i),
                    i.points,
                    i.n,
                    fmt_num(i.facility, 4),
                    fmt_num(i.discrimination, 4),
                    fmt_num(i.upper_lower, 4),
                    i.no_answer,
                    options_text(i, lang),
                    mistakes_text(i),
                    ",".join(i.flags),
                )
                for i in analysis.items
            ),
        )
    paths[3].write_text(render_html(grade, analysis, lang), encoding="utf-8")
    return paths


def histogram_svg(scores: list[float], lang: str) -> str:
    """A histogram of percentages in ten 10-point bins, as inline SVG (matplotlib, imported only here)."""
    from quizzer.progress.charts import _setup_fonts

    _setup_fonts()
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = "quizzer"  # stable element ids: the same grades give the same file
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 2.8))
    ax = fig.add_subplot()
    ax.hist(scores, bins=list(range(0, 101, 10)), color="#4c78a8", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel(M.REPORT_PERCENT.get(lang))
    ax.set_ylabel(M.REPORT_COUNT.get(lang))
    ax.set_title(M.REPORT_HISTOGRAM.get(lang))
    # The stub's Locator.set_params takes no keywords; the default y locator (AutoLocator, a MaxNLocator) takes integer.
    ax.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def _items_table(analysis: Analysis, lang: str) -> str:
    head = "".join(f"<th>{escape(c.get(lang))}</th>" for c in ITEM_COLUMNS)
    rows = []
    for i in analysis.items:
        facility = "" if i.facility is None else f"{i.facility:.0%}"
        rows.append(
            f"<tr><td>{escape(i.label)}<br><span class=meta>{escape(i.kind)} · {escape(i.topic)}</span></td>"
            f"<td>{escape(numbers_text(i))}</td><td class=num>{i.n}</td><td class=num>{facility}</td>"
            f"<td class=num>{fmt_num(i.discrimination)}</td><td class=num>{fmt_num(i.upper_lower)}</td>"
            f"<td>{escape(options_text(i, lang))}</td><td>{escape(mistakes_text(i))}</td>"
            f"<td class=flag>{escape(flags_text(i, lang))}</td></tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _student_section(report, lang: str) -> str:
    head = "".join(f"<th>{escape(c.get(lang))}</th>" for c in STUDENT_COLUMNS)
    rows = []
    for q in report.questions:
        rows.append(
            f"<tr><td class=num>{q.number}</td><td class=num>{fmt_points(q.earned)} / {fmt_points(q.points)}</td>"
            f"<td class='v {q.verdict}'>{escape(VERDICT_TEXT[q.verdict].get(lang))}</td><td>{escape(q.raw or '')}</td>"
            f"<td>{escape(q.expected.get(lang))}</td><td>{escape(q.diagnosis or '')}</td>"
            f"<td class=fb>{escape(feedback_text(q, lang))}</td></tr>"
        )
    title = (
        f"{escape(report.student)} · {escape(M.REPORT_VERSION.get(lang))} {escape(report.version)} · "
        f"{fmt_points(report.score)} / {fmt_points(report.total)} ({report.percent:.0f}%)"
    )
    return (
        f"<section class=student><h2>{title}</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def render_html(grade: ExamGrade, analysis: Analysis, lang: str) -> str:
    lines = [i.text(lang) for i in grade.issues] or [M.REPORT_NO_ISSUES.get(lang)]
    issues = "".join(f"<li>{escape(line)}</li>" for line in lines)
    summary = escape(summary_text(grade, analysis, lang))
    chart = histogram_svg(analysis.scores, lang) if analysis.scores else ""
    students = "".join(_student_section(s, lang) for s in grade.students)
    title = escape(grade.manifest.title)
    head_title = f"<title>{title} · {escape(M.REPORT_TITLE.get(lang))}</title>"
    body = f"""<body><h1>{title} · {escape(M.REPORT_TITLE.get(lang))}</h1>
<p class=meta>{summary}</p>
{chart}
<h2>{escape(M.REPORT_ISSUES.get(lang))}</h2><ul>{issues}</ul>
<h2>{escape(M.REPORT_ITEMS.get(lang))}</h2>
{_items_table(analysis, lang)}
{students}
</body>"""
    # The chart's own text is drawn as paths, but its SVG names it in comments: a glyph or two more is simpler
    # than a font that leaves characters of the page out.
    font = embedded_font_css(head_title + body)
    return f"""<!doctype html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
{head_title}<style>{font}{STYLE}</style></head>
{body}</html>
"""
