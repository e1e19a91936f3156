"""Progress charts (matplotlib, imported only here): accuracy over time per topic, activity calendar."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta
from pathlib import Path

from quizzer import messages as msg
from quizzer.progress.report import Report

CJK_FAMILY = "Noto Sans CJK SC"


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


def _weekly(series: list[tuple[date, int, int]]) -> tuple[list[date], list[float]]:
    buckets: dict[date, list[int]] = {}
    for day, n, c in series:
        monday = day - timedelta(days=day.weekday())
        entry = buckets.setdefault(monday, [0, 0])
        entry[0] += n
        entry[1] += c
    weeks = sorted(buckets)
    return weeks, [buckets[w][1] / buckets[w][0] for w in weeks]


def render_figure(report: Report, lang: str):
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    import numpy as np

    if lang == "zh" and not _setup_fonts():
        warnings.warn("no CJK font found: chart labels are in English", stacklevel=2)
        lang = "en"
    elif lang == "en":
        _setup_fonts()
    fig, (ax_acc, ax_cal) = plt.subplots(2, 1, figsize=(12, 9), gridspec_kw={"height_ratios": [3, 2]})
    fig.suptitle(f"{msg.PROGRESS.get(lang)} · {report.profile} · {report.now.astimezone():%Y-%m-%d}", fontsize=14)

    cmap = plt.get_cmap("tab20")
    ordered = [t.topic for t in report.topics if t.topic in report.topic_daily]
    for i, topic in enumerate(ordered):
        series = report.topic_daily[topic]
        weeks, accuracy = _weekly(series)
        ax_acc.plot(weeks, accuracy, marker="o", markersize=3, linewidth=1.4, color=cmap(i % 20),
                    label=msg.TOPIC_TITLES[topic].get(lang))
    ax_acc.set_title(msg.CHART_ACCURACY.get(lang))
    ax_acc.set_xlabel(msg.CHART_WEEK.get(lang))
    ax_acc.set_ylabel(msg.ACCURACY.get(lang))
    ax_acc.set_ylim(-0.05, 1.05)
    ax_acc.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax_acc.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax_acc.grid(alpha=0.3)
    if report.topic_daily:
        ax_acc.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)

    # Calendar heatmap: one column per week, one row per weekday, from the first active week (at
    # least 12 and at most 52 weeks back) up to today.
    today = report.now.astimezone().date()
    this_monday = today - timedelta(days=today.weekday())
    first_active = report.daily[0][0] if report.daily else today
    span = (this_monday - (first_active - timedelta(days=first_active.weekday()))).days // 7 + 1
    weeks = min(52, max(12, span))
    first = this_monday - timedelta(weeks=weeks - 1)
    grid = np.full((7, weeks), np.nan)
    counts = {d: n for d, n, _ in report.daily}
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        grid[day.weekday(), offset // 7] = counts.get(day, 0)
    image = ax_cal.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap="Greens", interpolation="nearest",
                          vmin=0, vmax=max(1, np.nanmax(grid)))
    ax_cal.set_title(msg.CHART_CALENDAR.get(lang))
    ax_cal.set_yticks(range(7), [day.get(lang) for day in msg.WEEKDAYS])
    month_ticks = [(w, first + timedelta(weeks=w)) for w in range(weeks) if (first + timedelta(weeks=w)).day <= 7]
    ax_cal.set_xticks([w for w, _ in month_ticks], [d.strftime("%Y-%m") for _, d in month_ticks], rotation=45, ha="right")
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
