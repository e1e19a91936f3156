"""Several learners on one database at once: nothing lost, nobody crashes, every session finished.

Real processes running the real CLI, on SQLite (one file in WAL mode) and on PostgreSQL. Before the
store took write locks up front, 2 of 10 and 5 of 20 such writers died with "database is locked".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from quizzer.store.engine import HEAD_REVISION
from quizzer.store.home import engine_url
from quizzer.store.models import AttemptRow, BankItemRow, BankItemVersion, QuizSessionRow

pytestmark = [pytest.mark.backends, pytest.mark.slow]

LEARNERS = 4
ANSWERS = 250
REPEATS = 3


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "quizzer", *args], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def _scalar(url: str, query):
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


def test_four_learners_answer_250_questions_each_three_times(tmp_path: Path) -> None:
    given = engine_url()  # the test's own SQLite file or PostgreSQL database, password included
    url = given if isinstance(given, str) else given.render_as_string(hide_password=False)
    answers = tmp_path / "answers.txt"
    # Whatever the question, every line is stored: graded, or graded incorrect when unreadable.
    answers.write_text("\n".join(["1", "a", "true", "0.5", "64x56x56"] * (ANSWERS // 5)) + "\n", encoding="utf-8")
    for repeat in range(REPEATS):
        learners = [
            _start(
                [
                    "quiz",
                    "-n",
                    str(ANSWERS),
                    "--seed",
                    str(100 * repeat + i),
                    "--profile",
                    f"learner{i}",
                    "--lang",
                    "en",
                    "--answers",
                    str(answers),
                    "--json",
                ],
                _env(),
            )
            for i in range(LEARNERS)
        ]
        outputs = [p.communicate(timeout=600) for p in learners]
        for process, (out, err) in zip(learners, outputs, strict=False):
            assert process.returncode == 0, f"repeat {repeat}: a learner failed:\n{err[-2000:]}"
            data = json.loads(out)
            assert data["finished"] is True and len(data["results"]) == ANSWERS
    total = LEARNERS * ANSWERS * REPEATS
    assert _scalar(url, select(func.count()).select_from(AttemptRow)) == total
    assert _scalar(url, select(func.count()).select_from(QuizSessionRow)) == LEARNERS * REPEATS
    assert _scalar(url, select(func.count()).select_from(QuizSessionRow).where(QuizSessionRow.finished.is_(False))) == 0
    # No session has a gap or a duplicate: positions 0..249 exactly once each.
    per_session = select(func.count(func.distinct(AttemptRow.position))).group_by(AttemptRow.session_id)
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        assert set(conn.execute(per_session).scalars()) == {ANSWERS}
    engine.dispose()


def test_four_processes_opening_a_new_database_at_once(tmp_path: Path, backend: str, request) -> None:
    if backend == "postgresql":
        from tests import pg

        server = request.getfixturevalue("pg_server")
        url = pg.fresh_empty(server, "race")  # no schema at all: every process wants to migrate
        request.addfinalizer(lambda: pg.drop_database(server, url))
        env = _env(QUIZZER_DB=url)
    else:
        home = tmp_path / "new-home"  # not even the directory exists yet
        url = f"sqlite:///{home / 'quizzer.db'}"
        env = _env(QUIZZER_HOME=str(home))
    processes = [_start(["bank", "stats", "--json"], env) for _ in range(4)]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=False):
        assert process.returncode == 0, err[-2000:]
    # Everyone saw the whole bank, imported once: one version row per item, nothing duplicated.
    stats = [json.loads(out) for out, _ in outputs]
    assert all(s == stats[0] for s in stats)
    assert _scalar(url, text("SELECT version_num FROM alembic_version")) == HEAD_REVISION
    items = _scalar(url, select(func.count()).select_from(BankItemRow))
    assert items > 100 and _scalar(url, select(func.count()).select_from(BankItemVersion)) == items
