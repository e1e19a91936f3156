"""The store: data home, migrations, timezone-aware times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from quizzer.errors import StoreError
from quizzer.store.engine import HEAD_REVISION, current_revision, make_engine, open_store, upgrade
from quizzer.store.home import database_url
from quizzer.store.models import MetaRow


def test_head_revision_constant_matches_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from quizzer.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION


def test_database_is_created_on_first_use_in_the_data_home(isolated_home: Path) -> None:
    assert not (isolated_home / "quizzer.db").exists()
    store = open_store()
    assert store.url == f"sqlite:///{isolated_home / 'quizzer.db'}"
    assert (isolated_home / "quizzer.db").exists()
    assert current_revision(store.engine) == HEAD_REVISION


def test_db_url_precedence(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUIZZER_DB", "sqlite:///from-env.db")
    assert database_url() == "sqlite:///from-env.db"
    assert database_url("sqlite:///explicit.db") == "sqlite:///explicit.db"
    assert database_url(str(tmp_path / "plain.db")) == f"sqlite:///{tmp_path / 'plain.db'}"


def test_upgrade_from_first_revision_keeps_data(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('kept', 'yes')"))
    assert "generated_instances" not in inspect(engine).get_table_names()
    store = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    assert "generated_instances" in inspect(store.engine).get_table_names()
    with store.session() as session:
        assert session.get(MetaRow, "kept").value == "yes"


def test_unknown_newer_revision_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_store(url).close()
    with make_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer version"):
        open_store(url)


def test_utc_datetimes_survive_sqlite(tmp_path: Path) -> None:
    from quizzer.store.models import BankItemRow

    store = open_store()
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    with store.session() as session:
        session.add(
            BankItemRow(
                id="x",
                topic="pooling",
                kind="single",
                difficulty=1,
                content_hash="h",
                version=1,
                payload={},
                source_file="f",
                origin="user",
                retired=False,
                created_at=moment,
                updated_at=moment,
            )
        )
    with store.session() as session:
        loaded = session.get(BankItemRow, "x").created_at
    assert loaded.tzinfo is not None and loaded.utcoffset() == timedelta(0)
    assert loaded == moment


def test_unusable_url_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        open_store("nosuchdialect://x")


def _attempt_at_0003(conn, created_at: str) -> None:
    conn.execute(text("INSERT INTO profiles (id, name, created_at) VALUES (1, 'default', :t)"), {"t": created_at})
    conn.execute(
        text(
            "INSERT INTO quiz_sessions (id, profile_id, mode, settings, plan, lang, started_at, finished) "
            "VALUES (1, 1, 'quiz', '{}', '[]', 'en', :t, 1)"
        ),
        {"t": created_at},
    )
    conn.execute(
        text(
            "INSERT INTO bank_items (id, topic, kind, difficulty, content_hash, version, payload, source_file, origin, retired, created_at, updated_at) "
            "VALUES ('it-1', 'pooling', 'truefalse', 1, 'h', 1, '{}', 'f', 'user', 0, :t, :t)"
        ),
        {"t": created_at},
    )
    conn.execute(
        text(
            "INSERT INTO attempts (id, session_id, profile_id, position, question_key, source, item_id, item_version, topic, kind, "
            "difficulty, raw_answer, verdict, score, response_ms, hints_used, grader_version, created_at) "
            "VALUES (1, 1, 1, 0, 'bank:it-1', 'bank', 'it-1', 1, 'pooling', 'truefalse', 1, 'true', 'correct', 1.0, 900, 0, '1', :t)"
        ),
        {"t": created_at},
    )
    conn.execute(
        text("INSERT INTO self_ratings (id, attempt_id, rating, created_at) VALUES (1, 1, 'easy', :t)"),
        {"t": created_at},
    )


def test_upgrade_to_progress_schema_keeps_every_attempt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v3.db'}"
    engine = make_engine(url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        _attempt_at_0003(conn, "2026-03-01 12:00:00.000000")
    engine.dispose()

    store = open_store(url)
    with store.session() as session:
        from quizzer.store.models import AttemptRow, SelfRatingRow

        attempt = session.get(AttemptRow, 1)
        assert attempt.raw_answer == "true" and attempt.score == 1.0
        assert attempt.day == attempt.created_at.astimezone().date().toordinal()
        assert session.get(SelfRatingRow, 1).attempt_id == 1
    from quizzer.progress.scheduling import ensure_cards, load_cards

    ensure_cards(store)  # the schedule cache is rebuilt from the history that came across
    cards = load_cards(store, 1, datetime(2026, 3, 2, tzinfo=UTC))
    assert list(cards) == ["bank:it-1"] and cards["bank:it-1"].reviews == 1
    from quizzer.progress.report import build_report

    report = build_report(store, now=datetime(2026, 3, 2, tzinfo=UTC))
    pooling = next(t for t in report.topics if t.topic == "pooling")
    assert (pooling.attempts, pooling.correct) == (1, 1) and report.active_days == 1


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'v3.db'}"
    engine = make_engine(url)
    upgrade(engine, "0003")
    with engine.begin() as conn:
        _attempt_at_0003(conn, "2026-03-01 12:00:00.000000")
    # In WAL mode committed pages may still sit in the -wal file; closing the last connection
    # checkpoints them into the database file, so the bytes below are the whole database.
    engine.dispose()
    assert not (tmp_path / "v3.db-wal").exists()
    before = (tmp_path / "v3.db").read_bytes()

    from alembic import op

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(op, "create_table", broken)  # 0004 fails after altering attempts
    with pytest.raises(RuntimeError, match="disk on fire"):
        upgrade(engine)
    engine.dispose()
    assert current_revision(make_engine(url)) == "0003"
    columns = [c["name"] for c in inspect(make_engine(url)).get_columns("attempts")]
    assert "day" not in columns
    assert (tmp_path / "v3.db").read_bytes() == before


def test_a_writer_holds_the_lock_from_its_first_statement_and_readers_never_wait(monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    import quizzer.store.engine as engine_module

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_S", 0.2)  # read at connect time
    url = open_store().url
    first, second = open_store(url), open_store(url)
    with first.session() as writer:
        writer.get(MetaRow, "anything")  # only a read so far: a deferred BEGIN would hold no write lock yet
        with pytest.raises(OperationalError, match="database is locked"):
            with second.session() as other:  # BEGIN IMMEDIATE waits (0.2 s here), then gives up
                other.get(MetaRow, "anything")
        with second.session(read_only=True) as reader:  # WAL: a reader goes straight through
            assert reader.get(MetaRow, "anything") is None
        writer.add(MetaRow(key="k", value="v"))
    with second.session(read_only=True) as reader:
        assert reader.get(MetaRow, "k").value == "v"


def test_sqlite_files_use_wal_and_a_busy_timeout() -> None:
    store = open_store()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60_000


def test_a_plain_postgresql_url_uses_psycopg_3() -> None:
    engine = make_engine("postgresql://learner:secret@127.0.0.1:1/class")  # nothing connects here
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
