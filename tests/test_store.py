"""The store: data home, migrations, timezone-aware times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
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
        session.add(BankItemRow(id="x", topic="pooling", kind="single", difficulty=1, content_hash="h", version=1,
                                payload={}, source_file="f", origin="user", retired=False,
                                created_at=moment, updated_at=moment))
    with store.session() as session:
        loaded = session.get(BankItemRow, "x").created_at
    assert loaded.tzinfo is not None and loaded.utcoffset() == timedelta(0)
    assert loaded == moment


def test_unusable_url_is_a_store_error() -> None:
    with pytest.raises(StoreError):
        open_store("nosuchdialect://x")
