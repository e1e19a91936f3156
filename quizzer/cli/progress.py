"""``quizzer progress | due | history``: what you know, what is due, what you did."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from quizzer.cli.common import console, echo_json, json_option, lang_option, open_store_from, resolve_lang

PROFILE = click.option("--profile", default="default", show_default=True, help="Learner profile.")
FORCE = click.option("--force", is_flag=True, help="Overwrite output files that already exist.")
SPARKS = "▁▂▃▄▅▆▇█"


def _now() -> datetime:
    from quizzer.store.models import utcnow

    return utcnow()


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _bar(value: float, width: int = 10) -> str:
    full = round(value * width)
    return "█" * full + "░" * (width - full)


def sparkline(values: list[float]) -> str:
    return "".join(SPARKS[min(len(SPARKS) - 1, int(v / 100 * len(SPARKS)))] for v in values)


@click.command()
@PROFILE
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only count answers from this day on (YYYY-MM-DD).")
@click.option("--topic", help="Only this topic (a slug).")
@click.option("--png", "png_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write the charts as a PNG image.")
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write a self-contained HTML page.")
@FORCE
@lang_option
@json_option
@click.pass_context
def progress(ctx: click.Context, profile: str, since: datetime | None, topic: str | None, png_path: Path | None,
             html_path: Path | None, force: bool, lang: str | None, as_json: bool) -> None:
    """Show progress per topic and per problem family.

    Per topic: answers, accuracy over the last 7 and 30 days, mastery (mean FSRS
    retrievability over the topic's items and skills) and how many are due.
    Per family: accuracy and the mistakes diagnosed most often. Then the current
    streak and the trend of recent session scores.
    """
    from quizzer.progress.report import build_report
    from quizzer.topics import TITLE_OF, TOPIC_SLUGS

    if topic is not None and topic not in TOPIC_SLUGS:
        raise click.UsageError(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
    from quizzer.outputs import check_output, write_output

    for path in (png_path, html_path):
        if path:
            check_output(path, force=force)  # before the report and the charts are built, not after
    lang = resolve_lang(lang)
    report = build_report(open_store_from(ctx), profile=profile, since=since.date() if since else None, topic=topic, now=_now())
    if png_path or html_path:
        from quizzer.progress.charts import png_bytes

        png = png_bytes(report, lang)
        if png_path:
            write_output(png_path, png, force=force)
        if html_path:
            from quizzer.progress.html import render_html

            write_output(html_path, render_html(report, lang, png), force=force)
    if as_json:
        echo_json(report.to_json())
        return

    from rich.table import Table
    from rich.text import Text

    zh = lang == "zh"
    out = console()
    # The profile name, family names and paths are the user's text: plain Text, never rich markup.
    table = Table(title=Text(("学习进度" if zh else "Progress") + f" · {profile}"))
    for name, justify in (("主题" if zh else "topic", "left"), ("作答" if zh else "answers", "right"),
                          ("7 天" if zh else "7 days", "right"), ("30 天" if zh else "30 days", "right"),
                          ("掌握度" if zh else "mastery", "left"), ("待复习" if zh else "due", "right")):
        table.add_column(name, justify=justify)
    for t in report.topics:
        table.add_row(TITLE_OF[t.topic][lang], str(t.attempts), _pct(t.accuracy_7d), _pct(t.accuracy_30d),
                      f"{_bar(t.mastery)} {t.mastery:.0%}", str(t.due))
    out.print(table)
    if report.families:
        families = Table(title="计算题" if zh else "Numeric problems")
        for name in (("题型", "作答", "正确率", "最常见的错误") if zh else ("family", "answers", "accuracy", "most frequent mistakes")):
            families.add_column(name)
        for f in report.families:
            mistakes = ", ".join(f"{tag} ×{n}" for tag, n in f.misconceptions[:3]) or "–"
            families.add_row(Text(f.family), str(f.attempts), _pct(f.accuracy), Text(mistakes))
        out.print(families)
    trend = [s.percent for s in report.sessions if s.percent is not None]
    streak = f"连续学习 {report.streak_days} 天（共 {report.active_days} 天有练习）" if zh else \
        f"Streak: {report.streak_days} day(s) ({report.active_days} active days in all)"
    out.print(streak)
    if trend:
        label = "最近练习得分" if zh else "Recent session scores"
        out.print(f"{label}: {sparkline(trend)}  ({trend[0]:.0f}% → {trend[-1]:.0f}%)")
    for path in (png_path, html_path):
        if path:
            out.print(Text(("已写入 " if zh else "Wrote ") + str(path)))


@click.command()
@PROFILE
@json_option
@click.pass_context
def due(ctx: click.Context, profile: str, as_json: bool) -> None:
    """Count what is due for review: now, by the end of today, and on each of the next 7 days."""
    from quizzer.progress.report import due_counts

    counts = due_counts(open_store_from(ctx), profile=profile, now=_now())
    if as_json:
        echo_json({"now": counts.now, "today": counts.today, "days": [[d.isoformat(), n] for d, n in counts.days]})
        return
    click.echo(f"due now:   {counts.now}")
    click.echo(f"due today: {counts.today}")
    for day, n in counts.days:
        click.echo(f"{day:%a %Y-%m-%d}: {n}")
    if counts.now:
        click.echo("Start with `quizzer review`.")


@click.command()
@PROFILE
@click.option("--session", "session_id", type=int, help="Show the answers of this session.")
@click.option("--export", "export_", nargs=2, type=(click.Choice(["csv", "json"]), click.Path(path_type=Path, dir_okay=False)),
              metavar="csv|json FILE", help="Write the answers (all, or of --session) to FILE.")
@FORCE
@lang_option
@click.pass_context
def history(ctx: click.Context, profile: str, session_id: int | None, export_: tuple[str, Path] | None, force: bool,
            lang: str | None) -> None:
    """List past sessions, or the answers of one; export answers as CSV or JSON."""
    from quizzer.progress import history as hist
    from quizzer.safety import strip_controls

    store = open_store_from(ctx)
    if export_:
        fmt, path = export_
        from quizzer.outputs import check_output

        check_output(path, force=force)
        records = hist.attempts(store, profile=profile, session_id=session_id)
        hist.export(records, fmt, path, force=force)
        click.echo(f"Wrote {len(records)} answers to {path}.")
        return
    from rich.table import Table
    from rich.text import Text

    out = console()
    # Answers and profile names are the learner's text: an answer "[/bold]" must print as itself.
    if session_id is None:
        table = Table(title=Text(f"sessions · {profile}"))
        for col in ("id", "started", "mode", "finished", "answers", "score"):
            table.add_column(col)
        for s in hist.list_sessions(store, profile=profile):
            table.add_row(str(s.session_id), f"{s.started_at.astimezone():%Y-%m-%d %H:%M}", s.mode,
                          "yes" if s.finished else "no", str(s.answered), f"{s.score:.2f}")
        out.print(table)
        return
    table = Table(title=f"session {session_id}")
    for col in ("#", "question", "answer", "verdict", "score", "hints", "s"):
        table.add_column(col, overflow="fold")
    for a in hist.attempts(store, profile=profile, session_id=session_id):
        table.add_row(str(a["position"] + 1), Text(a["question_key"]), Text(strip_controls(a["raw_answer"] or "")),
                      Text(a["verdict"]), f"{a['score']:.2f}",
                      str(a["hints_used"]), f"{a['response_ms'] / 1000:.0f}")
    out.print(table)
