"""`quizzer db …` through the CLI, on SQLite and on PostgreSQL; learners' profiles kept apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizzer.errors import ExitStatus
from quizzer.store.engine import HEAD_REVISION
from tests.answers import right_answer, wrong_answer
from tests.test_cli_quiz import planned_questions

pytestmark = pytest.mark.backends


def _totals(run, *profile: str) -> tuple[int, int]:
    """(answers, correct) summed over the topics of `progress --json`."""
    topics = json.loads(run("progress", *profile, "--json").output)["topics"]
    return sum(t["attempts"] for t in topics), sum(t["correct"] for t in topics)


def test_current_and_history_name_the_schema(run) -> None:
    assert "no schema yet" in run("db", "current").output or "latest" in run("db", "current").output
    run("db", "upgrade")
    assert run("db", "current").output.strip() == f"{HEAD_REVISION} (latest)"
    lines = run("db", "history").output.splitlines()
    assert lines[0].startswith("[x] 0001") and lines[-2].startswith(f"[*] {HEAD_REVISION}")


def test_check_reports_rows_and_no_problems(run) -> None:
    run("bank", "stats")
    data = json.loads(run("db", "check", "--json").output)
    assert data["ok"] is True and data["revision"] == HEAD_REVISION and data["rows"]["bank_items"] > 100
    assert "OK: no problems found." in run("db", "check").output


def test_backup_and_restore_round_trip(run, tmp_path: Path, backend: str) -> None:
    dest = tmp_path / "backup.db"
    if backend == "postgresql":
        # quizzer does not reimplement pg_dump; it says how, without printing the password.
        out = run("db", "backup", str(dest), expect=ExitStatus.STORE).output
        assert "pg_dump --format=custom" in out and "quizzer-ci" not in out and "quizzer@127.0.0.1" in out
        assert not dest.exists()
        return
    questions = planned_questions(3, 2, kind="truefalse")
    answers = tmp_path / "a.txt"
    answers.write_text("\n".join(right_answer(q) for q in questions) + "\n", encoding="utf-8")
    run("quiz", "--seed", "3", "-n", "2", "--kind", "truefalse", "--answers", str(answers))
    assert "Backed up to" in run("db", "backup", str(dest)).output
    assert "already exists" in run("db", "backup", str(dest), expect=ExitStatus.ERROR).output
    run("quiz", "--seed", "3", "-n", "2", "--kind", "truefalse", "--answers", str(answers))
    assert _totals(run)[0] == 4
    out = run("db", "restore", str(dest)).output
    assert "Restored" in out and "kept as" in out
    assert _totals(run)[0] == 2


def test_one_learner_never_sees_or_changes_another(run, tmp_path: Path) -> None:
    questions = planned_questions(8, 3, kind="single")
    alice = tmp_path / "alice.txt"
    alice.write_text("\n".join(right_answer(q) for q in questions) + "\n", encoding="utf-8")
    bob = tmp_path / "bob.txt"
    bob.write_text(wrong_answer(questions[0]) + "\n", encoding="utf-8")  # bob stops after one answer
    alice_out = json.loads(
        run(
            "quiz",
            "--seed",
            "8",
            "-n",
            "3",
            "--kind",
            "single",
            "--profile",
            "alice",
            "--answers",
            str(alice),
            "--json",
        ).stdout
    )
    bob_out = json.loads(
        run(
            "quiz", "--seed", "8", "-n", "3", "--kind", "single", "--profile", "bob", "--answers", str(bob), "--json"
        ).stdout
    )
    assert alice_out["finished"] and not bob_out["finished"]

    assert _totals(run, "--profile", "alice") == (3, 3)
    assert _totals(run, "--profile", "bob") == (1, 0)
    assert _totals(run, "--profile", "carol") == (0, 0)
    # Sessions and answers: each sees only their own; another's session is "not found", not shown.
    assert f"│ {bob_out['session']} " not in run("history", "--profile", "alice").output
    out = run("history", "--profile", "alice", "--session", str(bob_out["session"]), expect=ExitStatus.NOT_FOUND)
    assert "has no session" in out.output
    export = tmp_path / "alice.json"
    run("history", "--profile", "alice", "--export", "json", str(export))
    assert {r["session_id"] for r in json.loads(export.read_text())} == {alice_out["session"]}
    # Resuming is per learner: alice has nothing open; bob's open session is not hers to continue.
    assert "has no unfinished session" in run("quiz", "--resume", "--profile", "alice", expect=2).output
    rest = tmp_path / "rest.txt"
    rest.write_text("\n".join(right_answer(q) for q in questions[1:]) + "\n", encoding="utf-8")
    resumed = json.loads(run("quiz", "--resume", "--profile", "bob", "--answers", str(rest), "--json").stdout)
    assert resumed["session"] == bob_out["session"] and resumed["finished"]
    assert _totals(run, "--profile", "alice") == (3, 3) and _totals(run, "--profile", "bob")[0] == 3
