"""``quizzer progress | due | history``: what you know, what is due, what you did."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from quizzer.cli.common import (
    bank_option,
    checked_bank,
    console,
    echo_json,
    json_option,
    lang_option,
    open_store_from,
    resolve_lang,
)

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
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only count answers from this day on (YYYY-MM-DD)."
)
@click.option("--topic", help="Only this topic (a slug).")
@click.option(
    "--png", "png_path", type=click.Path(path_type=Path, dir_okay=False), help="Also write the charts as a PNG image."
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a self-contained HTML page.",
)
@FORCE
@bank_option
@lang_option
@json_option
@click.pass_context
def progress(
    ctx: click.Context,
    profile: str,
    since: datetime | None,
    topic: str | None,
    png_path: Path | None,
    html_path: Path | None,
    force: bool,
    bank: str,
    lang: str | None,
    as_json: bool,
) -> None:
    """Show progress per topic and per problem family.

    Per topic: answers, accuracy over the last 7 and 30 days, mastery (mean FSRS
    retrievability over the topic's items and skills) and how many are due.
    Per family: accuracy, the level its next problem is served at (with the
    ability estimate behind it) and the mistakes diagnosed most often. Then the current
    streak and the trend of recent session scores.
    """
    from quizzer import messages as msg
    from quizzer.progress.report import build_report
    from quizzer.topics import TOPIC_SLUGS

    if topic is not None and bank == "bundled" and topic not in TOPIC_SLUGS:
        raise click.UsageError(f"unknown topic {topic!r}; topics are: {', '.join(TOPIC_SLUGS)}")
    from quizzer.outputs import check_output, write_output

    for path in (png_path, html_path):
        if path:
            check_output(path, force=force)  # before the report and the charts are built, not after
    lang = resolve_lang(lang)
    store = open_store_from(ctx)
    report = build_report(
        store,
        profile=profile,
        since=since.date() if since else None,
        topic=topic,
        now=_now(),
        bank=checked_bank(store, bank),
    )
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

    out = console()
    # The profile name, family names and paths are the user's text: plain Text, never rich markup.
    table = Table(title=Text(f"{msg.PROGRESS.get(lang)} · {profile}"))
    table.add_column(msg.TOPIC.get(lang))
    for name in (msg.ANSWERS, msg.PROGRESS_7_DAYS, msg.PROGRESS_30_DAYS):
        table.add_column(name.get(lang), justify="right")
    table.add_column(msg.PROGRESS_MASTERY.get(lang))  # a bar, read from the left
    table.add_column(msg.PROGRESS_DUE.get(lang), justify="right")
    for t in report.topics:
        table.add_row(
            msg.TOPIC_TITLES[t.topic].get(lang),
            str(t.attempts),
            _pct(t.accuracy_7d),
            _pct(t.accuracy_30d),
            f"{_bar(t.mastery)} {t.mastery:.0%}",
            str(t.due),
        )
    out.print(table)
    if report.families:
        families = Table(title=msg.PROGRESS_NUMERIC.get(lang))
        for name in (msg.FAMILY, msg.ANSWERS, msg.ACCURACY, msg.PROGRESS_LEVEL, msg.PROGRESS_MISTAKES):
            families.add_column(name.get(lang))
        from quizzer.generators.registry import family_title

        for f in report.families:
            mistakes = ", ".join(f"{tag} ×{n}" for tag, n in f.misconceptions[:3]) or "–"
            families.add_row(
                Text(family_title(f.family).get(lang)), str(f.attempts), _pct(f.accuracy), f.level_label, Text(mistakes)
            )
        out.print(families)
    trend = [s.percent for s in report.sessions if s.percent is not None]
    streak = msg.PROGRESS_STREAK.format(
        streak=msg.STREAK_DAYS.format(report.streak_days), active=msg.ACTIVE_DAYS.format(report.active_days)
    )
    out.print(streak.get(lang))
    if trend:
        trend_text = msg.SCORE_TREND.format(spark=sparkline(trend), first=f"{trend[0]:.0f}", last=f"{trend[-1]:.0f}")
        out.print(msg.label(msg.RECENT_SCORES, lang) + trend_text.get(lang))
    for path in (png_path, html_path):
        if path:
            out.print(Text(msg.WROTE.format(path=path).get(lang)))


@click.command()
@PROFILE
@lang_option
@json_option
@click.pass_context
def due(ctx: click.Context, profile: str, lang: str | None, as_json: bool) -> None:
    """Count what is due for review: now, by the end of today, and on each of the next 7 days."""
    from quizzer.progress.report import due_counts

    counts = due_counts(open_store_from(ctx), profile=profile, now=_now())
    if as_json:
        echo_json({"now": counts.now, "today": counts.today, "days": [[d.isoformat(), n] for d, n in counts.days]})
        return
    from quizzer import messages as msg

    lang = resolve_lang(lang)
    click.echo(msg.DUE_NOW.format(n=counts.now).get(lang))
    click.echo(msg.DUE_TODAY.format(n=counts.today).get(lang))
    for day, n in counts.days:
        click.echo(msg.DUE_ON.format(weekday=msg.WEEKDAYS[day.weekday()], day=f"{day:%Y-%m-%d}", n=n).get(lang))
    if counts.now:
        click.echo(msg.DUE_START.get(lang))


@click.command()
@PROFILE
@click.option("--session", "session_id", type=int, help="Show the answers of this session.")
@click.option(
    "--export",
    "export_",
    nargs=2,
    type=(click.Choice(["csv", "json"]), click.Path(path_type=Path, dir_okay=False)),
    metavar="csv|json FILE",
    help="Write the answers (all, or of --session) to FILE.",
)
@FORCE
@lang_option
@click.pass_context
def history(
    ctx: click.Context,
    profile: str,
    session_id: int | None,
    export_: tuple[str, Path] | None,
    force: bool,
    lang: str | None,
) -> None:
    """List past sessions, or the answers of one; export answers as CSV or JSON."""
    from quizzer import messages as msg
    from quizzer.progress import history as hist
    from quizzer.safety import strip_controls

    lang = resolve_lang(lang)
    store = open_store_from(ctx)
    if export_:
        fmt, path = export_
        from quizzer.outputs import check_output

        check_output(path, force=force)
        records = hist.attempts(store, profile=profile, session_id=session_id)
        hist.export(records, fmt, path, force=force)
        click.echo(msg.HISTORY_EXPORTED.format(len(records), path=path).get(lang))
        return
    from rich.table import Table
    from rich.text import Text

    out = console()
    # Answers and profile names are the learner's text: an answer "[/bold]" must print as itself.
    if session_id is None:
        table = Table(title=Text(msg.HISTORY_SESSIONS.format(profile=profile).get(lang)))
        for col in (msg.HISTORY_ID, msg.STARTED, msg.HISTORY_MODE, msg.HISTORY_FINISHED, msg.ANSWERS, msg.SCORE):
            table.add_column(col.get(lang))
        for s in hist.list_sessions(store, profile=profile):
            table.add_row(
                str(s.session_id),
                f"{s.started_at.astimezone():%Y-%m-%d %H:%M}",
                s.mode,
                (msg.YES if s.finished else msg.NO).get(lang),
                str(s.answered),
                f"{s.score:.2f}",
            )
        out.print(table)
        return
    table = Table(title=msg.HISTORY_SESSION.format(session=session_id).get(lang))
    for col in (
        msg.HISTORY_POSITION,
        msg.HISTORY_QUESTION,
        msg.HISTORY_ANSWER,
        msg.HISTORY_VERDICT,
        msg.SCORE,
        msg.HISTORY_HINTS,
        msg.HISTORY_SECONDS,
    ):
        table.add_column(col.get(lang), overflow="fold")
    for a in hist.attempts(store, profile=profile, session_id=session_id):
        # The raw answer is the learner's own text: a Text cell, never markup.
        table.add_row(
            str(a["position"] + 1),
            Text(a["question_key"]),
            Text(strip_controls(a["raw_answer"] or "")),
            Text(a["verdict"]),
            f"{a['score']:.2f}",
            str(a["hints_used"]),
            f"{a['response_ms'] / 1000:.0f}",
        )
    out.print(table)
