"""Running a hostile case: a seeded store, the command, and what must hold afterwards.

Shared by tests/test_hostile.py (the catalogue) and tests/test_hostile_answers.py.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from quizzer.cli.main import cli
from quizzer.errors import ExitStatus

QUIZZER = Path(sys.executable).with_name("quizzer")
# Everything a learner would miss if it changed; caches (schedule_cards, daily_stats) are rebuildable.
STORED_TABLES = ("profiles", "quiz_sessions", "attempts", "self_ratings", "bank_items", "bank_item_versions")


def run_cli(args: list[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
    """In-process: an uncaught exception propagates and fails the test, so a traceback cannot pass."""
    result = CliRunner().invoke(cli, args, input=stdin, env=env, catch_exceptions=False)
    return result.exit_code, result.output


def run_process(
    args: list[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, str]:
    """The real executable, for cases that need a process of their own (FIFOs, devices, signals)."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run([str(QUIZZER), *args], input=stdin, capture_output=True, env=full_env, timeout=timeout)
    return done.returncode, done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")


def stored_state(db: Path) -> str | None:
    """A digest of every stored row (read-only, so taking it changes nothing); None if there is no database."""
    if not db.exists():
        return None
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for table in STORED_TABLES:
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def file_bytes(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Case:
    """One hostile or faulty input: the command, the exit status and the words the learner must see.

    ``args`` and ``env`` may name ``{ws}`` (a scratch directory holding the hostile input that ``prepare``
    builds) and ``{home}`` (the data home, holding a seeded database). Unless ``changes`` is set, nothing
    stored in the seeded database may change; ``watch`` names extra files whose bytes must not change.
    """

    name: str
    args: tuple[str, ...]
    status: ExitStatus
    says: tuple[str, ...]
    prepare: Callable[[Path, Path], None] | None = None
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    process: bool = False
    changes: bool = False
    watch: tuple[str, ...] = ()
    never_says: tuple[str, ...] = ()
    check: Callable[[Path, Path, str], None] | None = None
    patch: Callable[[Path], AbstractContextManager] | None = None
    skip: str | None = None

    def __str__(self) -> str:
        return self.name


def play(case: Case, ws: Path, home: Path) -> str:
    """Run ``case`` and assert its exit status, message, and that nothing stored changed. Returns the output."""
    if case.prepare:
        case.prepare(ws, home)
    fill = {"ws": str(ws), "home": str(home)}
    args = [a.format(**fill) for a in case.args]
    env = {k: v.format(**fill) for k, v in case.env.items()}
    watched = [Path(w.format(**fill)) for w in case.watch]
    before = (stored_state(home / "quizzer.db") if not case.changes else None, [file_bytes(p) for p in watched])
    with case.patch(ws) if case.patch else nullcontext():
        runner = run_process if case.process else run_cli
        code, output = runner(args, stdin=case.stdin, env=env or None)
    assert code == case.status, f"{case.name}: exit {code}, expected {case.status!r}; output:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    flat = " ".join(output.split())
    for words in case.says:
        assert " ".join(words.split()) in flat, f"{case.name}: {words!r} not in:\n{output[-3000:]}"
    for words in case.never_says:
        assert words not in output, f"{case.name}: {words!r} must not be shown:\n{output[-3000:]}"
    if case.status != ExitStatus.OK:
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, f"{case.name}: expected one 'Error:' line, got {errors}"
    after = (stored_state(home / "quizzer.db") if not case.changes else None, [file_bytes(p) for p in watched])
    assert after == before, f"{case.name}: something stored changed"
    if case.check:
        case.check(ws, home, output)
    return output
