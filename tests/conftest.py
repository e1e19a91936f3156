from __future__ import annotations

import os
from collections.abc import Iterator
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends: run the test against SQLite and against PostgreSQL (see pg_url)")


_backend_runs: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for backend in ("sqlite", "postgresql"):
        if f"[{backend}" in report.nodeid and (report.when == "call" or report.outcome != "passed"):
            counts = _backend_runs.setdefault(backend, {})
            counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter) -> None:
    """Say how many tests really ran on each backend, so a CI log shows PostgreSQL was not skipped."""
    for backend, counts in sorted(_backend_runs.items()):
        terminalreporter.write_line(f"{backend} backend: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("backends") is not None:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test's store lives in: SQLite unless the test is marked ``backends``."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL URL whose role may create databases: QUIZZER_TEST_PG_URL (``.ci/postgres`` prints one).

    Without it the PostgreSQL half of the suite is skipped, with the reason shown; under CI
    (QUIZZER_TEST_PG_REQUIRED=1) a missing or unreachable server fails instead.
    """
    url = os.environ.get("QUIZZER_TEST_PG_URL")
    required = os.environ.get("QUIZZER_TEST_PG_REQUIRED") == "1"
    reason = "no PostgreSQL server: set QUIZZER_TEST_PG_URL (start one with .ci/postgres)"
    if url:
        from tests import pg

        try:
            pg.admin(url).dispose()
            pg.template(url)
        except Exception as exc:  # any failure to reach the server means no PostgreSQL tests
            reason = f"PostgreSQL at {url.split('@')[-1]} unusable: {exc}"
            url = None
    if not url:
        if required:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    yield url
    from tests import pg

    pg.drop_template(url)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh PostgreSQL database at the current schema, dropped after the test."""
    from tests import pg

    url = pg.create_database(pg_server)
    yield url
    pg.drop_database(pg_server, url)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> Path:
    """Every test gets its own data home, database and language."""
    home = tmp_path / "quizzer-home"
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    monkeypatch.delenv("QUIZZER_DB", raising=False)
    monkeypatch.setenv("QUIZZER_LANG", "en")
    if backend == "postgresql":
        monkeypatch.setenv("QUIZZER_DB", request.getfixturevalue("pg_url"))
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
