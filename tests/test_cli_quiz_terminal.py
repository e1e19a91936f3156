"""A real interactive session through a pseudo-terminal: right, wrong, unreadable, hint, skip, Ctrl-C, resume."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from quizzer.quiz.question import GeneratedQuestion
from quizzer.store.engine import open_store
from quizzer.store.models import AttemptRow, QuizSessionRow
from tests.answers import right_answer, wrong_answer
from tests.test_cli_quiz import planned_questions

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow

COUNT = 7
NEXT = [r"Rate yourself", r"\d+/7 · ", r"Summary"]


def pick_seed():
    """A seed whose first five questions can be answered predictably (no free-text kinds)."""
    for seed in range(500):
        questions = planned_questions(seed, COUNT)
        kinds = [q.kind for q in questions[:5]]
        if (
            not {"open", "fill"} & set(kinds)
            and questions[3].hints()
            and any(isinstance(q, GeneratedQuestion) for q in questions[:5])
        ):
            return seed, questions
    raise AssertionError("no suitable seed")


def spawn(home: Path, *args: str):
    env = {**os.environ, "QUIZZER_HOME": str(home), "TERM": "xterm", "COLUMNS": "80", "LINES": "40"}
    env.pop("QUIZZER_DB", None)
    child = pexpect.spawn(
        sys.executable, ["-m", "quizzer", "quiz", *args], env=env, encoding="utf-8", timeout=60, dimensions=(40, 80)
    )
    return child


def answer(child, text: str) -> None:
    child.expect(r"> ")
    child.sendline(text)


def test_interactive_session_keeps_every_graded_answer_and_resumes(tmp_path: Path) -> None:
    seed, questions = pick_seed()
    home = tmp_path / "home"
    child = spawn(home, "--seed", str(seed), "-n", str(COUNT), "--lang", "en")

    child.expect(r"1/7 · ")
    answer(child, right_answer(questions[0]))
    child.expect(r"Correct")

    child.expect(r"2/7 · ")
    answer(child, wrong_answer(questions[1]))
    child.expect(r"Incorrect")

    child.expect(r"3/7 · ")
    answer(child, "@@@ ?!")
    child.expect(r"(cannot read|there is no option|not a number|not a size|unexpected)")
    answer(child, right_answer(questions[2]))  # asked again, not counted
    child.expect(r"Correct")

    child.expect(r"4/7 · ")
    answer(child, "hint")
    child.expect(r"costs 25% of this question's credit")  # the cost comes first; nothing is charged yet
    answer(child, "hint")
    child.expect(r"Hint 1 of \d: ")
    answer(child, right_answer(questions[3]))
    child.expect(r"Score 0\.75")

    child.expect(r"5/7 · ")
    answer(child, "skip")
    child.expect(r"Skipped\.")

    child.expect(r"6/7 · ")
    child.expect(r"> ")
    child.sendintr()  # Ctrl-C at the prompt
    child.expect(r"Summary")
    child.expect(r"not finished — continue with quizzer quiz --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    store = open_store(f"sqlite:///{home / 'quizzer.db'}")
    with store.session() as s:
        attempts = s.scalars(select(AttemptRow).order_by(AttemptRow.position)).all()
        session = s.scalars(select(QuizSessionRow)).one()
        assert not session.finished
        assert [a.position for a in attempts] == [0, 1, 2, 3, 4]
        assert [a.verdict for a in attempts] == ["correct", "incorrect", "correct", "correct", "skipped"]
        assert [a.hints_used for a in attempts] == [0, 0, 0, 1, 0]
        assert attempts[3].score == 0.75 and attempts[2].raw_answer == right_answer(questions[2])
        assert [a.question_key for a in attempts] == [q.ref.key for q in questions[:5]]
        assert all(a.response_ms > 0 for a in attempts)

    child = spawn(home, "--resume", "--lang", "en")
    child.expect(r"6/7 · ")
    answer(child, right_answer(questions[5]))
    if child.expect(NEXT) == 0:  # an open question asks for a self-rating
        child.sendline("good")
        child.expect(r"7/7 · ")
    answer(child, right_answer(questions[6]))
    if child.expect(NEXT) == 0:
        child.sendline("")
        child.expect(r"Summary")
    child.expect(r"Session \d+ \(finished\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with store.session() as s:
        assert s.scalars(select(QuizSessionRow)).one().finished
        assert len(s.scalars(select(AttemptRow)).all()) == 7


def test_plain_output_when_not_a_terminal(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "QUIZZER_HOME": str(tmp_path / "h")}
    done = subprocess.run(
        [sys.executable, "-m", "quizzer", "quiz", "-n", "1", "--kind", "truefalse", "--lang", "en"],
        input="true\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour codes in a pipe
    assert re.search(r"Session 1 \(finished\)", done.stdout)
