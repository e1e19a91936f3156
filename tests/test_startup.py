"""Start-up stays light: heavy modules load only when a command needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported_modules(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quizzer", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            modules.add(name.split(".")[0])
    assert "quizzer" in modules  # the parse found something: this check can fail
    return modules


def test_help_imports_neither_torch_nor_numpy_nor_the_store() -> None:
    modules = imported_modules("--help")
    assert not modules & {"torch", "numpy", "sqlalchemy", "alembic", "pydantic", "rich", "yaml"}


@pytest.mark.parametrize(
    "args", [("families",), ("gen", "conv-output", "--count", "3"), ("bank", "stats"), ("bank", "--help")]
)
def test_commands_that_need_no_torch_do_not_import_it(args) -> None:
    assert "torch" not in imported_modules(*args)


def test_solve_does_import_torch() -> None:
    # The counter-check: the parser above really sees torch when it is loaded.
    assert "torch" in imported_modules("solve", "conv-output", "input_size=8", "kernel_size=3")


def test_torch_is_not_imported_before_the_first_question_shows(tmp_path) -> None:
    """The first question must not wait for torch; verification starts only once it is on screen."""
    import os

    script = (
        "import sys\n"
        "from quizzer.ui import quiz_loop\n"
        "seen = []\n"
        "original = quiz_loop.QuizLoop.show_question\n"
        "def spy(self, q):\n"
        "    seen.append('torch' in sys.modules)\n"
        "    original(self, q)\n"
        "quiz_loop.QuizLoop.show_question = spy\n"
        "from quizzer.cli.main import cli\n"
        "cli(['quiz', '--seed', '1', '-n', '3', '--family', 'conv-output', '--answers', '/dev/null'], standalone_mode=False)\n"
        "print('TORCH_AT_FIRST_QUESTION', seen[0])\n"
    )
    env = {**os.environ, "QUIZZER_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert "TORCH_AT_FIRST_QUESTION False" in out
