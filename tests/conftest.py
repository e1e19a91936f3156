from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from quizzer.cli.main import cli

REPO = Path(__file__).resolve().parents[1]

# Property tests run real torch modules per example: bound them so the suite stays fast on 2 cores.
settings.register_profile("default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data home, database and language."""
    home = tmp_path / "quizzer-home"
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    monkeypatch.delenv("QUIZZER_DB", raising=False)
    monkeypatch.setenv("QUIZZER_LANG", "en")
    return home


@pytest.fixture
def run():
    """Invoke the CLI in-process; exceptions propagate (catch_exceptions=False)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, expect: int | None = 0):
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}, output:\n{result.output}"
        return result

    return invoke


@pytest.fixture
def db_file(isolated_home: Path) -> Path:
    return isolated_home / "quizzer.db"
