"""The first week: charts at a readable scale from the first answer, an HTML page that carries its own
CJK font, and family titles in the learner's language."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizzer.generators.registry import all_families
from quizzer.progress.report import Report
from tests.htmlfonts import assert_font_covers_the_page, page_text
from tests.test_cli_progress import practised  # noqa: F401 (a fixture)

NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)  # the same calendar day in every time zone within ±11 h


def history(days: int, topics: dict[str, tuple[int, int]]) -> Report:
    """A report whose learner answered, on each of the last ``days`` days, (graded, correct) per topic."""
    today = NOON.astimezone().date()
    first = today - timedelta(days=days - 1)
    topic_daily = {t: [(first + timedelta(days=k), n, c) for k in range(days)] for t, (n, c) in topics.items()}
    daily = [
        (first + timedelta(days=k), sum(n for n, _ in topics.values()), sum(c for _, c in topics.values()))
        for k in range(days)
    ]
    return Report(
        profile="p",
        now=NOON,
        since=None,
        topics=[],
        families=[],
        streak_days=days,
        active_days=days,
        daily=daily,
        sessions=[],
        topic_daily=topic_daily,
    )


def test_a_first_day_is_a_point_at_the_start_of_its_first_week() -> None:
    from quizzer.progress.charts import accuracy_plan

    plan = accuracy_plan(history(1, {"pooling": (3, 3), "cnn": (3, 1)}))
    today = NOON.astimezone().date()
    assert (plan.bucket, plan.start, plan.end) == ("day", today, today + timedelta(days=6))
    assert plan.topics == {"cnn": [(today, 1 / 3, 3)], "pooling": [(today, 1.0, 3)]}
    assert plan.overall == [(today, 4 / 6, 6)]


def test_two_weeks_are_drawn_day_by_day_and_sixty_days_week_by_week() -> None:
    from quizzer.progress.charts import accuracy_plan

    today = NOON.astimezone().date()
    ten = accuracy_plan(history(10, {"pooling": (2, 1)}))
    assert (ten.bucket, ten.start, ten.end) == ("day", today - timedelta(days=9), today)
    assert len(ten.topics["pooling"]) == 10

    sixty = accuracy_plan(history(60, {"pooling": (2, 1), "cnn": (4, 3)}))
    first = today - timedelta(days=59)
    assert sixty.bucket == "week"
    assert sixty.start == first - timedelta(days=first.weekday()) and sixty.start.weekday() == 0
    assert sixty.end == today - timedelta(days=today.weekday())
    # Recount the weeks: each point is a Monday holding its week's answers (a partial week at either end).
    weeks: dict[date, int] = {}
    for k in range(60):
        day = first + timedelta(days=k)
        weeks[day - timedelta(days=day.weekday())] = weeks.get(day - timedelta(days=day.weekday()), 0) + 4
    assert [(d, n) for d, _, n in sixty.topics["cnn"]] == sorted(weeks.items())
    assert all(a == pytest.approx(0.75) for _, a, _ in sixty.topics["cnn"])


def _axis_days(fig) -> tuple[date, date]:
    import matplotlib.dates as mdates

    low, high = fig.axes[0].get_xlim()
    return mdates.num2date(low).date(), mdates.num2date(high).date()


def test_the_accuracy_axis_spans_the_active_period() -> None:
    import matplotlib.pyplot as plt

    from quizzer.progress.charts import render_figure

    today = NOON.astimezone().date()
    fig = render_figure(history(1, {"pooling": (3, 3), "cnn": (3, 1)}), "zh")
    low, high = _axis_days(fig)
    assert today - timedelta(days=1) <= low <= today and (high - low).days <= 8  # a week, not 2025 to 2029
    topic_lines = [line for line in fig.axes[0].get_lines() if line.get_label() in ("池化", "卷积神经网络及其参数")]
    assert len(topic_lines) == 2 and all(line.get_linestyle() == "None" for line in topic_lines)  # points
    assert all(line.get_marker() == "o" and line.get_markersize() >= 6 for line in topic_lines)
    plt.close(fig)

    fig = render_figure(history(60, {"pooling": (2, 1)}), "en")
    low, high = _axis_days(fig)
    assert 56 <= (high - low).days <= 72 and low <= today - timedelta(days=59) and high >= today
    labels = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert labels["Pooling"].get_linestyle() == "-" and "all topics" in labels
    plt.close(fig)


def test_the_page_embeds_the_cjk_characters_it_uses(run, practised, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "p.html"
    run("progress", "--lang", "zh", "--html", str(path))
    page = path.read_text(encoding="utf-8")
    family, used, cmap = assert_font_covers_the_page(page, max_bytes=80_000)
    assert re.search(r"body\{font-family:'" + re.escape(family) + "'", page)  # the page uses the font it declares
    assert len(used) > 20 and "学" in used
    assert cmap <= set(page_text(page))  # and nothing the page does not use


def test_family_titles_are_in_the_learners_language(
    run,
    practised,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per family, however long its title
    titles = {f.name: f.title for f in all_families()}
    practised_families = [f["family"] for f in json.loads(run("progress", "--json").output)["families"]]
    assert practised_families
    zh = run("progress", "--lang", "zh", "--html", str(tmp_path / "p.html")).output
    en = run("progress", "--lang", "en").output
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    for name in practised_families:
        assert titles[name].zh in zh and titles[name].en in en
        assert f"│ {name} " not in zh and f"<td>{name}</td>" not in page
        assert f"<td>{titles[name].zh}</td>" in page
