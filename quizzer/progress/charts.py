"""Progress charts (matplotlib, imported only here): accuracy over time per topic, activity calendar."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from quizzer import messages as msg
from quizzer.fontsubset import CJK_FAMILY
from quizzer.progress.report import Report

CALENDAR_MIN_WEEKS = 8  # fewer columns would make each day a wide slab
# Up to this many days of practice are drawn day by day; a longer period week by week.
DAILY_UP_TO_DAYS = 21
# The accuracy axis spans at least a week, so a first day is drawn at a readable scale, not over years.
MIN_SPAN_DAYS = 7
# A topic with this many points or fewer is drawn as points: a line through one or two points says nothing.
FEW_POINTS = 2


def _setup_fonts() -> bool:
    """Register the bundled Noto Sans CJK font; True when Chinese text can be drawn."""
    import matplotlib
    from matplotlib import font_manager

    matplotlib.use("Agg")
    try:
        import noto_cjk_sans_otc

        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    except (ImportError, OSError, RuntimeError):
        pass
    available = {f.name for f in font_manager.fontManager.ttflist}
    matplotlib.rcParams["font.family"] = ["sans-serif"]
    matplotlib.rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return CJK_FAMILY in available


@dataclass
class AccuracyPlan:
    """What the accuracy chart draws, decided without matplotlib (tests read it)."""

    bucket: str  # "day" or "week": what one point covers
    start: date  # the first and last bucket on the axis (a week's Monday for weekly buckets)
    end: date
    topics: dict[str, list[tuple[date, float, int]]]  # topic → (bucket, accuracy, graded answers)
    overall: list[tuple[date, float, int]]


def _buckets(series: list[tuple[date, int, int]], weekly: bool) -> list[tuple[date, float, int]]:
    sums: dict[date, list[int]] = {}
    for day, n, c in series:
        key = day - timedelta(days=day.weekday()) if weekly else day
        entry = sums.setdefault(key, [0, 0])
        entry[0] += n
        entry[1] += c
    return [(key, sums[key][1] / sums[key][0], sums[key][0]) for key in sorted(sums) if sums[key][0]]


def accuracy_plan(report: Report) -> AccuracyPlan:
    """The axis spans the active period — from the first day with answers to today, and at least a week, so
    a first day is one point at the start of its first week — with day or week buckets by its length."""
    today = report.now.astimezone().date()
    first = report.daily[0][0] if report.daily else today
    weekly = (today - first).days + 1 > DAILY_UP_TO_DAYS
    end = max(today, first + timedelta(days=MIN_SPAN_DAYS - 1))
    if weekly:
        first, end = first - timedelta(days=first.weekday()), end - timedelta(days=end.weekday())
    listed = [t.topic for t in report.topics]  # the report's order (free topics of a user bank included)
    ordered = sorted(report.topic_daily, key=lambda t: (listed.index(t) if t in listed else len(listed), t))
    return AccuracyPlan(
        bucket="week" if weekly else "day",
        start=first,
        end=end,
        topics={t: _buckets(report.topic_daily[t], weekly) for t in ordered},
        overall=_buckets(report.daily, weekly),
    )


def _at(day: date) -> datetime:
    """Midnight of ``day``: matplotlib can place a datetime within a day, a date only at its start."""
    return datetime.combine(day, time())


def _draw_accuracy(ax, plan: AccuracyPlan, lang: str) -> None:
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    cmap = plt.get_cmap("tab20")
    bucket_days = 7 if plan.bucket == "week" else 1
    # When every topic is a point or two, points of different topics on one day would hide each other:
    # spread them across half their bucket.
    few = all(len(points) <= FEW_POINTS for points in plan.topics.values())
    spread = 0.5 * bucket_days / max(1, len(plan.topics)) if few else 0.0
    for i, (topic, points) in enumerate(plan.topics.items()):
        shift = timedelta(days=(i - (len(plan.topics) - 1) / 2) * spread)
        if len(points) <= FEW_POINTS:
            style = {"linestyle": "none", "markersize": 7}
        else:
            style = {"linewidth": 1.2, "markersize": 4}
        ax.plot(
            [_at(d) + shift for d, _, _ in points],
            [a for _, a, _ in points],
            marker="o",
            color=cmap(i % 20),
            alpha=0.85,
            label=msg.TOPIC_TITLES[topic].get(lang),
            **style,
        )
    if len(plan.overall) > FEW_POINTS:  # the trend over all topics, when there is one to see
        ax.plot(
            [_at(d) for d, _, _ in plan.overall],
            [a for _, a, _ in plan.overall],
            color="black",
            linewidth=2.4,
            marker="s",
            markersize=4,
            label=msg.CHART_ALL_TOPICS.get(lang),
            zorder=5,
        )
    pad = timedelta(days=bucket_days / 2)
    ax.set_xlim(_at(plan.start) - pad, _at(plan.end) + pad)
    # A tick per bucket (every day, every Monday), thinned to at most about a dozen; the year goes in the label.
    buckets = (plan.end - plan.start).days // bucket_days + 1
    every = max(1, buckets // 12)
    if plan.bucket == "day":
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=every))
    else:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO, interval=every))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    years = sorted({plan.start.year, plan.end.year})
    ax.set_xlabel(
        f"{(msg.CHART_DAY if plan.bucket == 'day' else msg.CHART_WEEK).get(lang)} · {'–'.join(map(str, years))}"
    )
    ax.set_title((msg.CHART_ACCURACY_DAILY if plan.bucket == "day" else msg.CHART_ACCURACY).get(lang))
    ax.set_ylabel(msg.ACCURACY.get(lang))
    ax.set_ylim(-0.05, 1.05)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.grid(alpha=0.3)
    if plan.topics:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)


def render_figure(report: Report, lang: str):
    import matplotlib.pyplot as plt
    import numpy as np

    if lang == "zh" and not _setup_fonts():
        warnings.warn("no CJK font found: chart labels are in English", stacklevel=2)
        lang = "en"
    elif lang == "en":
        _setup_fonts()
    fig, (ax_acc, ax_cal) = plt.subplots(2, 1, figsize=(12, 9), gridspec_kw={"height_ratios": [3, 2]})
    fig.suptitle(f"{msg.PROGRESS.get(lang)} · {report.profile} · {report.now.astimezone():%Y-%m-%d}", fontsize=14)
    _draw_accuracy(ax_acc, accuracy_plan(report), lang)

    # Calendar heatmap: one column per week, one row per weekday, from the first active week (at
    # least CALENDAR_MIN_WEEKS and at most 52 weeks back) up to today. Days before the first answer
    # and after today stay blank; a day without answers after the first is pale.
    today = report.now.astimezone().date()
    this_monday = today - timedelta(days=today.weekday())
    first_active = report.daily[0][0] if report.daily else today
    span = (this_monday - (first_active - timedelta(days=first_active.weekday()))).days // 7 + 1
    weeks = min(52, max(CALENDAR_MIN_WEEKS, span))
    first = this_monday - timedelta(weeks=weeks - 1)
    grid = np.full((7, weeks), np.nan)
    counts = {d: n for d, n, _ in report.daily}
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        if day >= first_active:
            grid[day.weekday(), offset // 7] = counts.get(day, 0)
    image = ax_cal.imshow(
        np.ma.masked_invalid(grid),
        aspect="auto",
        cmap="Greens",
        interpolation="nearest",
        vmin=0,
        vmax=max(1, np.nanmax(grid)),
    )
    ax_cal.set_facecolor("#ececec")  # blank days: before the first answer, after today
    ax_cal.set_title(msg.CHART_CALENDAR.get(lang))
    ax_cal.set_yticks(range(7), [day.get(lang) for day in msg.WEEKDAYS])
    month_ticks = [(w, first + timedelta(weeks=w)) for w in range(weeks) if (first + timedelta(weeks=w)).day <= 7]
    ax_cal.set_xticks(
        [w for w, _ in month_ticks], [d.strftime("%Y-%m") for _, d in month_ticks], rotation=45, ha="right"
    )
    bar = fig.colorbar(image, ax=ax_cal, fraction=0.03, pad=0.01)
    bar.set_label(msg.CHART_ANSWERS.get(lang))
    fig.tight_layout()
    return fig


def write_png(report: Report, path: Path, lang: str) -> None:
    import matplotlib.pyplot as plt

    fig = render_figure(report, lang)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def png_bytes(report: Report, lang: str) -> bytes:
    import matplotlib.pyplot as plt

    fig = render_figure(report, lang)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
