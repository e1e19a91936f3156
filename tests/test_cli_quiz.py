"""`quizzer quiz` through the CLI: scripted answers, JSON, resume, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizzer.bank.sync import sync_bundled
from quizzer.quiz.selection import QuizOptions, build_plan
from quizzer.quiz.session import load_question
from quizzer.store.engine import open_store
from tests.answers import right_answer, wrong_answer

# The store, progress and quiz tests run against SQLite and against PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.backends


def planned_questions(seed: int, count: int, **options):
    store = open_store("sqlite://")
    sync_bundled(store)
    return [load_question(store, ref) for ref in build_plan(store, QuizOptions(seed=seed, count=count, **options))]


def test_scripted_quiz_with_json_results(run, tmp_path: Path) -> None:
    questions = planned_questions(11, 4)
    lines = [right_answer(questions[0]), wrong_answer(questions[1]), "skip", "@@@ not an answer @@@"]
    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("quiz", "--seed", "11", "-n", "4", "--lang", "en", "--answers", str(answers), "--json")
    data = json.loads(result.stdout)
    assert data["finished"] is True and data["session"] == 1
    verdicts = [r["verdict"] for r in data["results"]]
    assert (
        verdicts[0] in ("correct", "partial") and verdicts[1] in ("incorrect", "partial") and verdicts[2] == "skipped"
    )
    assert [r["question"] for r in data["results"]] == [q.ref.key for q in questions]
    last = data["results"][3]
    if questions[3].kind not in ("open", "fill"):
        assert last["verdict"] == "incorrect" and any("Unreadable answer" in f for f in last["feedback"])
    assert all(set(r) >= {"question", "answer", "verdict", "score", "expected", "feedback"} for r in data["results"])


def test_running_out_of_answers_ends_like_end_of_input_and_resume_continues(run, tmp_path: Path) -> None:
    questions = planned_questions(4, 5, kind="single")
    first = tmp_path / "first.txt"
    first.write_text(f"{right_answer(questions[0])}\n{right_answer(questions[1])}\n", encoding="utf-8")
    out = run("quiz", "--seed", "4", "-n", "5", "--kind", "single", "--lang", "en", "--answers", str(first)).output
    assert "not finished — continue with quizzer quiz --resume" in out and "score 2.00/2" in out

    rest = tmp_path / "rest.txt"
    rest.write_text("\n".join(right_answer(q) for q in questions[2:]) + "\n", encoding="utf-8")
    out = run("quiz", "--resume", "--lang", "en", "--answers", str(rest)).output
    assert "3/5" in out and "1/5" not in out
    assert "Session 1 (finished): score 5.00/5 (100%)" in out
    assert "has no unfinished session" in run("quiz", "--resume", expect=2).output


def test_answers_from_stdin(run) -> None:
    questions = planned_questions(2, 2, kind="truefalse")
    text = "\n".join(right_answer(q) for q in questions) + "\n"
    out = run(
        "quiz", "--seed", "2", "-n", "2", "--kind", "truefalse", "--lang", "zh", "--answers", "-", input=text
    ).output
    assert "得分 2.00/2（100%）" in out


def test_feedback_includes_worked_solution_and_diagnosis(run, tmp_path: Path) -> None:
    (question,) = planned_questions(1, 1, family="conv-output", difficulty=1)
    wrong = question.problem.misconceptions[0]
    answers = tmp_path / "a.txt"
    answers.write_text(f"{wrong.value}\n", encoding="utf-8")
    out = run(
        "quiz",
        "--seed",
        "1",
        "-n",
        "1",
        "--family",
        "conv-output",
        "-d",
        "1",
        "--lang",
        "en",
        "--answers",
        str(answers),
    ).output
    assert "Diagnosis:" in out and wrong.diagnosis.en[:30] in " ".join(out.split())
    assert "Worked solution:" in out and "⌊" in out


def test_bad_options_are_usage_errors(run) -> None:
    assert "unknown topic 'nope'" in run("quiz", "--topic", "nope", expect=2).output
    assert "no problem family named 'nope'" in run("quiz", "--family", "nope", expect=2).output
    assert "'--count': 0 is not in the range" in run("quiz", "--count", "0", expect=2).output
