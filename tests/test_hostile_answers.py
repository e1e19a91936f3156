"""Forty hostile answers: each is read (or refused with a hint), never run, and stored cleaned and capped.

For every answer, every kind of question (each bank kind and one problem of every family) either parses
it or raises AnswerParseError, quickly; and a scripted quiz of all forty through the real CLI grades
every line, stores exactly one cleaned attempt per line, prints no escape sequence, and runs nothing.
"""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path

import pytest

from quizzer.errors import AnswerParseError, ExitStatus
from quizzer.grading.parse import MAX_ANSWER_CHARS, clean_answer
from quizzer.quiz.question import Question, question_from_item, question_from_problem
from quizzer.safety import strip_controls
from tests.hostile_support import rows, run_cli

CANARY = "/tmp/quizzer-hostile-canary"
HOSTILE_ANSWERS = [
    "9**9**9",
    "9^9^9^9",
    "10^10^10",
    "(" * 100_000 + "1" + ")" * 100_000,
    "1" + "+1" * 20_000,
    "1/0",
    "0/0",
    "sqrt(-1)",
    "log(0)",
    "exp(1000)",
    "1e999",
    "-1e309",
    "nan",
    "inf",
    "1e-400",
    "9" * 5000,
    "0x1F",
    "1_000",
    "２５％",
    "\u202e42",
    f"__import__('os').system('touch {CANARY}')",
    f"$(touch {CANARY})",
    f"`touch {CANARY}`",
    f"; touch {CANARY}",
    "lambda: 1",
    "{0.__class__.__mro__}",
    "{{7*7}}",
    "%s%s%s%n",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "[/bold]",
    "[link=http://evil.example]x[/link]",
    "\x1b[2J\x1b[31mred",
    "\x1b]8;;http://evil.example\x07x",
    "\x00\x00A",
    "\x07\x08\x7f",
    "\u0085\u009b31m",
    "A" * 20_000,
    "💣" * 300,
    "\ufeffA, B",
]


@lru_cache(maxsize=1)
def sample_questions() -> tuple[Question, ...]:
    """One bank question of each kind and one generated problem of each family (spec kinds vary by family)."""
    from quizzer.bank.loader import load_bank
    from quizzer.generators.registry import all_families, make_problem
    from quizzer.resources import bundled_questions_dir

    by_kind: dict[str, Question] = {}
    for loaded in load_bank([bundled_questions_dir()]):
        by_kind.setdefault(loaded.item.kind, question_from_item(loaded.item, 1))
    problems = [question_from_problem(make_problem(f, 1, 1)) for f in all_families()]
    return (*by_kind.values(), *problems)


def test_there_are_forty_distinct_hostile_answers() -> None:
    assert len(set(HOSTILE_ANSWERS)) == len(HOSTILE_ANSWERS) >= 40


@pytest.mark.parametrize("answer", HOSTILE_ANSWERS, ids=lambda a: repr(a[:24]))
def test_hostile_answer_is_read_or_refused_quickly(answer: str) -> None:
    raw, cut = clean_answer(answer)
    assert cut == (len(answer) > MAX_ANSWER_CHARS)
    assert len(raw) <= MAX_ANSWER_CHARS and raw == strip_controls(raw)
    for question in sample_questions():
        started = time.perf_counter()
        try:
            question.grade(question.parse(raw))
        except AnswerParseError as exc:
            assert str(exc) and exc.hint is not None, (question.ref.key, answer[:30])
        assert time.perf_counter() - started < 1.0, (question.ref.key, answer[:30])
    assert not Path(CANARY).exists()


# A generated problem (graded only after torch confirms its key) and the bank's single-choice items (more
# than 40); shape, vector and record answers are covered by every family in the test above.
@pytest.mark.parametrize("selection", [("--family", "conv-output"), ("--kind", "single")], ids=" ".join)
def test_scripted_quiz_of_every_hostile_answer(selection: tuple[str, str], tmp_path: Path, isolated_home: Path) -> None:
    Path(CANARY).unlink(missing_ok=True)
    answers = tmp_path / "answers.txt"
    answers.write_bytes("".join(a.replace("\n", " ") + "\n" for a in HOSTILE_ANSWERS).encode("utf-8"))
    code, output = run_cli(
        ["quiz", "--cram", "-n", str(len(HOSTILE_ANSWERS)), *selection, "--seed", "9", "--answers", str(answers)],
        env={"COLUMNS": "200"},
    )
    assert code == ExitStatus.OK, output[-2000:]
    assert "Traceback" not in output and "\x1b" not in output and "\x07" not in output
    assert "[/bold]" in output and "[link=http://evil.example]x[/link]" in output  # shown as typed, not as markup
    stored = rows(isolated_home / "quizzer.db", "SELECT raw_answer, verdict FROM attempts ORDER BY position")
    assert len(stored) == len(HOSTILE_ANSWERS)
    assert all(raw == strip_controls(raw) and len(raw) <= MAX_ANSWER_CHARS for raw, _ in stored)
    assert {verdict for _, verdict in stored} <= {"correct", "partial", "incorrect", "void"}
    assert rows(isolated_home / "quizzer.db", "SELECT finished FROM quiz_sessions") == [(1,)]
    assert not Path(CANARY).exists()
