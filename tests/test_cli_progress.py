"""`quizzer progress | due | history | review` and `quiz --cram` through the CLI."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from quizzer.errors import ExitStatus
from tests.answers import right_answer, wrong_answer
from tests.test_cli_quiz import planned_questions

# The store, progress and quiz tests run against SQLite and against PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.backends


@pytest.fixture
def practised(run, tmp_path: Path):
    """Two sessions: one mixed quiz with right and wrong answers, one cram session."""
    questions = planned_questions(5, 6)
    lines = [right_answer(q) if i % 2 == 0 else wrong_answer(q) for i, q in enumerate(questions)]
    answers = tmp_path / "a.txt"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run("quiz", "--seed", "5", "-n", "6", "--lang", "en", "--answers", str(answers))
    cram = tmp_path / "c.txt"
    cram.write_text("skip\nskip\n", encoding="utf-8")
    run("quiz", "--cram", "--seed", "6", "-n", "2", "--lang", "en", "--answers", str(cram))
    return questions


def test_progress_json_counts_the_quiz(run, practised) -> None:
    data = json.loads(run("progress", "--json").output)
    total = sum(t["attempts"] for t in data["topics"])
    assert total == 6 and data["streak_days"] == 1 and data["active_days"] == 1
    assert sum(t["correct"] for t in data["topics"]) >= 3
    assert [s["mode"] for s in data["sessions"]] == ["quiz", "cram"]
    topic = next(t for t in data["topics"] if t["attempts"])
    assert 0 < topic["mastery"] <= 1 and topic["accuracy_7d"] is not None


def test_progress_table_and_filters(run, practised) -> None:
    out = run("progress", "--lang", "en").output
    assert (
        "Progress · default" in out and "Streak: 1 day (1 active day in all)" in out and "Recent session scores" in out
    )
    topic = practised[0].topic
    only = json.loads(run("progress", "--topic", topic, "--json").output)
    assert [t["topic"] for t in only["topics"]] == [topic]
    future = json.loads(run("progress", "--since", "2999-01-01", "--json").output)
    assert sum(t["attempts"] for t in future["topics"]) == 0
    assert "unknown topic" in run("progress", "--topic", "nope", expect=2).output


def test_png_and_html(run, practised, tmp_path: Path) -> None:
    png, html = tmp_path / "p.png", tmp_path / "p.html"
    run("progress", "--lang", "zh", "--png", str(png), "--html", str(html))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "data:image/png;base64," in page
    assert "掌握度" in page and "<script" not in page and "http" not in page.split("<body>")[1]
    assert "连续学习 1 天（共 1 天有练习）" in page and "mastery" not in page and "Streak" not in page


def test_progress_in_chinese_and_a_profile_name_that_looks_like_markup(run, practised) -> None:
    out = run("progress", "--lang", "zh").output
    assert "学习进度 · default" in out and "连续学习 1 天（共 1 天有练习）" in out and "Progress" not in out
    # A profile name is shown as typed, not read as rich markup.
    assert "学习进度 · [bold]x" in run("progress", "--lang", "zh", "--profile", "[bold]x").output


def test_chinese_labels_use_a_cjk_font() -> None:
    from quizzer.progress.charts import CJK_FAMILY, _setup_fonts

    assert _setup_fonts(), f"{CJK_FAMILY} is not available to matplotlib"
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    assert "NotoSansCJK" in Path(path).name


def test_due_and_review(run, practised) -> None:
    counts = json.loads(run("due", "--json").output)
    assert counts["today"] >= counts["now"] >= 0 and len(counts["days"]) == 7
    if counts["now"] == 0:
        assert "Nothing is due for review now; the next review is due" in run("review").output
    en = run("due", "--lang", "en").output.splitlines()
    assert en[0] == f"due now:   {counts['now']}" and en[1] == f"due today: {counts['today']}"
    zh = run("due", "--lang", "zh").output.splitlines()
    assert zh[:2] == [f"现在到期：{counts['now']}", f"今天到期：{counts['today']}"]
    (first_day, n), weekday = counts["days"][0], "一二三四五六日"[date.fromisoformat(counts["days"][0][0]).weekday()]
    assert zh[2] == f"{weekday} {first_day}：{n}"


def test_review_with_nothing_due_is_not_an_error(run) -> None:
    # A fresh learner has nothing due: `review` says so and exits 0 (a daily cron job must not "fail").
    assert run("review", "--lang", "en", expect=ExitStatus.OK).output.strip() == "Nothing is due for review now."
    assert run("review", "--lang", "zh").output.strip() == "现在没有需要复习的内容。"
    assert json.loads(run("review", "--json").output) == {"due": 0, "next_due": None}
    assert json.loads(run("history", "--lang", "en") and run("progress", "--json").output)["sessions"] == []


def test_cram_does_not_touch_the_schedule(run, tmp_path: Path) -> None:
    (question,) = planned_questions(3, 1, kind="truefalse")
    answers = tmp_path / "a.txt"
    answers.write_text(right_answer(question) + "\n", encoding="utf-8")
    run("quiz", "--cram", "--seed", "3", "-n", "1", "--kind", "truefalse", "--answers", str(answers))
    data = json.loads(run("progress", "--json").output)
    assert sum(t["attempts"] for t in data["topics"]) == 1  # counted in statistics…
    assert json.loads(run("due", "--json").output)["today"] == 0  # …but nothing was scheduled
    assert all(t["mastery"] == 0 for t in data["topics"])


def test_history_and_exports(run, practised, tmp_path: Path) -> None:
    out = run("history").output
    assert "quiz" in out and "cram" in out
    assert "bank:" in run("history", "--session", "1").output or "gen:" in run("history", "--session", "1").output
    path = tmp_path / "all.csv"
    assert run("history", "--export", "csv", str(path)).output.strip() == f"Wrote 8 answers to {path}."
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 8 and rows[0]["session_id"] == "1" and {r["verdict"] for r in rows} >= {"skipped"}
    one = tmp_path / "one.json"
    run("history", "--session", "2", "--export", "json", str(one))
    assert [r["verdict"] for r in json.loads(one.read_text(encoding="utf-8"))] == ["skipped", "skipped"]
    assert "has no session 99" in run("history", "--session", "99", expect=2).output


def test_progress_shows_the_level_each_skill_is_served_at_next(run, tmp_path: Path) -> None:
    import math

    questions = planned_questions(3, 4, family="pool-output")
    assert {q.difficulty for q in questions} == {1}  # a new learner starts at ★
    answers = tmp_path / "a.txt"
    answers.write_text("\n".join(right_answer(q) for q in questions) + "\n", encoding="utf-8")
    run("quiz", "--family", "pool-output", "--seed", "3", "-n", "4", "--lang", "en", "--answers", str(answers))

    # Four right answers at ★ (difficulty −1), replayed with the published rule θ += 4/(1+0.3n)·(1 − P).
    theta = 0.0
    for n in range(4):
        theta += 4 / (1 + 0.3 * n) * (1 - 1 / (1 + math.exp(-(theta + 1))))
    level = min((1, 2, 3), key=lambda d: (abs(1 / (1 + math.exp(-(theta - (d - 2)))) - 0.75), d))
    family = next(f for f in json.loads(run("progress", "--json").output)["families"] if f["family"] == "pool-output")
    assert math.isclose(family["ability"], theta, rel_tol=1e-9) and family["level"] == level > 1
    table = run("progress", "--lang", "en").output
    assert "next level" in table and f"{'★' * level}{'☆' * (3 - level)} ({theta:+.2f})" in table

    skip = tmp_path / "s.txt"
    skip.write_text("skip\n", encoding="utf-8")
    served = json.loads(
        run("quiz", "--family", "pool-output", "--seed", "9", "-n", "1", "--answers", str(skip), "--json").stdout
    )["results"][0]["question"]
    assert served.startswith(f"gen:pool-output:{level}:")
    easy = json.loads(
        run(
            "quiz",
            "--family",
            "pool-output",
            "--seed",
            "10",
            "-n",
            "1",
            "--target",
            "0.95",
            "--answers",
            str(skip),
            "--json",
        ).stdout
    )["results"][0]["question"]
    assert easy.startswith("gen:pool-output:1:")
