"""`quizzer exam grade` through the CLI: table, files, refusals, recording, and student text kept inert."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.exam_manifests import store_fixture, synced_template_fixture, write_answers  # noqa: F401  (fixtures)
from tests.htmlfonts import assert_font_covers_the_page
from tests.test_exam_grade import class_rows
from tests.test_exam_grade import exam as exam


@pytest.fixture
def filled(store, tmp_path: Path) -> Path:
    rows = class_rows(store)
    rows.append(("mallory", "A", "1", "[bold red]A[/]"))
    rows.append(("mallory", "A", "4", '=HYPERLINK("http://x")'))
    rows.append(("mallory", "A", "2", "<script>alert(1)</script>"))
    return write_answers(tmp_path / "filled.csv", rows)


def test_grade_prints_scores_and_writes_reports(run, exam: Path, filled: Path) -> None:
    out = run("exam", "grade", str(exam), "--answers", str(filled), "--lang", "en", "--student", "mallory").output
    assert "alice" in out and "8 / 8" in out and "1 / 8" in out and "Item analysis" in out
    assert "Problems in the answers file (" in out and "could not read 'abc'" in out
    assert "[bold red]A[/]" in out  # shown as typed, not interpreted as markup
    graded = exam / "graded"
    assert sorted(p.name for p in graded.iterdir()) == ["item-analysis.csv", "report.csv", "report.html", "scores.csv"]
    with (graded / "report.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    hyperlink = next(r for r in rows if r["student"] == "mallory" and r["question"] == "4")
    assert hyperlink["answer"].startswith("'=HYPERLINK")  # neutralised for spreadsheets
    with (graded / "scores.csv").open(encoding="utf-8") as handle:
        scores = {r["student"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert scores["alice"] == 8 and scores["dave"] == 6
    page = (graded / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)  # nothing loaded from elsewhere


def test_refuses_to_overwrite_without_force(run, exam: Path, filled: Path, tmp_path: Path) -> None:
    run("exam", "grade", str(exam), "--answers", str(filled))
    again = run("exam", "grade", str(exam), "--answers", str(filled), expect=1)
    assert "already holds" in again.output and "--force" in again.output
    run("exam", "grade", str(exam), "--answers", str(filled), "--force")
    missing = run(
        "exam", "grade", str(exam), "--answers", str(filled), "--out", str(tmp_path / "no" / "where"), expect=2
    )
    assert "no such directory" in missing.output


def test_clear_errors_for_missing_inputs(run, exam: Path, filled: Path, tmp_path: Path) -> None:
    out = run("exam", "grade", str(tmp_path / "nothing"), "--answers", str(filled), expect=2).output
    assert "no such exam directory" in out and "Traceback" not in out
    out = run("exam", "grade", str(exam), "--answers", str(tmp_path / "none.csv"), expect=2).output
    assert "no such answers file" in out


def test_chinese_report_lines(run, exam: Path, filled: Path) -> None:
    out = run("exam", "grade", str(exam), "--answers", str(filled), "--lang", "zh").output
    assert "答案文件中的问题" in out and "无法识别 'abc'" in out and "没有版本 'Z'" in out
    page = (exam / "graded" / "report.html").read_text(encoding="utf-8")
    assert "与第" in page and "重复（答案相同）" in page and "成绩报告" in page
    # The class report and every student's section carry their own CJK font (a bare machine shows boxes otherwise).
    family, used, _ = assert_font_covers_the_page(page)
    assert re.search(r"body\{font-family:'" + re.escape(family) + "'", page)
    assert {"成", "绩", "报", "告", "重", "复"} <= used


def test_record_then_progress_shows_the_exam(run, exam: Path, filled: Path) -> None:
    data = json.loads(run("exam", "grade", str(exam), "--answers", str(filled), "--record", "--json").output)
    assert "alice" in data["recorded"] and {s["student"]: s["score"] for s in data["students"]}["carol"] == 5
    progress = json.loads(run("progress", "--profile", "alice", "--json").output)
    assert [s["mode"] for s in progress["sessions"]] == ["exam"] and progress["sessions"][0]["percent"] == 100
    out = run("exam", "grade", str(exam), "--answers", str(filled), "--record", "--force", "--lang", "en").output
    assert "already recorded earlier" in out
