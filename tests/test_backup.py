"""Backups, restores, the rolling copy before migrations, and the integrity check (SQLite files)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from quizzer.errors import NotFound, QuizzerError, StoreError
from quizzer.store import backup as bk
from quizzer.store.engine import HEAD_REVISION, make_engine, open_store, upgrade


def _rows(path: Path, table: str = "meta") -> int:
    """Counted by sqlite3 directly, not through quizzer."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def _add_meta(url: str, n: int, prefix: str = "k") -> None:
    store = open_store(url)
    with store.session() as session:
        for i in range(n):
            session.execute(text("INSERT INTO meta (key, value) VALUES (:k, 'v')"), {"k": f"{prefix}{i}"})
    store.close()


def test_backup_is_a_consistent_copy_while_changes_sit_in_the_wal(tmp_path: Path, db_file: Path) -> None:
    store = open_store()
    _add_meta(store.url, 50)
    with store.session(read_only=True) as reader:  # an open reader keeps SQLite from checkpointing the WAL
        reader.execute(text("SELECT count(*) FROM meta")).scalar()
        _add_meta(store.url, 25, "later")
        assert Path(f"{db_file}-wal").stat().st_size > 0  # committed pages not yet in the main file
        dest = bk.backup(store.url, tmp_path / "copy.db")
    store.close()
    assert _rows(dest) == 75 == _rows(db_file)
    assert not Path(f"{dest}-wal").exists()  # one self-contained file


def test_backup_refuses_to_overwrite_and_names_a_missing_directory(tmp_path: Path) -> None:
    url = open_store().url
    dest = tmp_path / "copy.db"
    dest.write_text("precious")
    with pytest.raises(QuizzerError, match="already exists; pass --force"):
        bk.backup(url, dest)
    assert dest.read_text() == "precious"
    bk.backup(url, dest, force=True)
    assert _rows(dest, "alembic_version") == 1
    with pytest.raises(NotFound, match="does not exist"):
        bk.backup(url, tmp_path / "no" / "such" / "dir.db")


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(tmp_path: Path, db_file: Path) -> None:
    url = open_store().url
    _add_meta(url, 10)
    saved = bk.backup(url, tmp_path / "saved.db")
    _add_meta(url, 7, "after")
    assert _rows(db_file) == 17
    done = bk.restore(url, saved)
    assert _rows(db_file) == 10
    assert done.safety_copy is not None and _rows(done.safety_copy) == 17
    assert done.revision == HEAD_REVISION


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b""])
def test_restore_refuses_a_file_that_is_not_a_quizzer_database(tmp_path: Path, db_file: Path, content: bytes) -> None:
    url = open_store().url
    _add_meta(url, 3)
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(content)
    with pytest.raises(StoreError, match="nothing was restored"):
        bk.restore(url, bogus)
    assert _rows(db_file) == 3


def test_restore_refuses_a_backup_from_a_newer_quizzer(tmp_path: Path, db_file: Path) -> None:
    url = open_store().url
    newer = tmp_path / "newer.db"
    bk.backup(url, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer version"):
        bk.restore(url, newer)


def test_a_migration_first_keeps_a_copy_of_the_old_database(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0003")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('kept', 'yes')"))
    engine.dispose()
    open_store(f"sqlite:///{path}").close()  # migrates 0003 → head
    copies = bk.rolling_backups("old")
    assert len(copies) == 1 and copies[0].parent == isolated_home / "backups" and "rev0003" in copies[0].name
    conn = sqlite3.connect(copies[0])
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0003",)
    assert conn.execute("SELECT value FROM meta WHERE key = 'kept'").fetchone() == ("yes",)
    conn.close()
    open_store(f"sqlite:///{path}").close()  # already current: no new copy
    assert len(bk.rolling_backups("old")) == 1


def test_only_the_newest_rolling_backups_are_kept(tmp_path: Path) -> None:
    store = open_store()
    made = [bk.backup_before_migration(store.engine, "0004") for _ in range(bk.BACKUPS_KEPT + 3)]
    kept = bk.rolling_backups("quizzer")
    assert kept == made[-bk.BACKUPS_KEPT :]
    assert all(not p.exists() for p in made[:3])


def test_check_finds_nothing_wrong_in_a_good_database() -> None:
    store = open_store()
    report = bk.check(store.engine)
    assert report.ok and report.revision == HEAD_REVISION and report.rows["attempts"] == 0


def test_check_reports_a_dangling_reference() -> None:
    store = open_store()
    raw = store.engine.raw_connection()
    raw.driver_connection.execute("PRAGMA foreign_keys=OFF")
    raw.driver_connection.execute(
        "INSERT INTO self_ratings (id, attempt_id, rating, created_at) VALUES (1, 42, 'easy', '2026-01-01')"
    )
    raw.close()
    report = bk.check(store.engine)
    assert not report.ok and any("self_ratings" in p and "attempts" in p for p in report.problems)


def test_check_reports_damaged_pages(db_file: Path) -> None:
    store = open_store()
    _add_meta(store.url, 2000)
    store.close()
    conn = sqlite3.connect(db_file)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page into the main file
    conn.close()
    url = store.url
    size = db_file.stat().st_size
    with db_file.open("r+b") as f:  # scribble over the middle of the file, past the schema page
        f.seek(size // 2)
        f.write(b"\xde\xad\xbe\xef" * 2048)
    report = bk.check(make_engine(url))
    assert not report.ok
    assert any("integrity" in p or "malformed" in p for p in report.problems)


def test_cli_check_exits_3_on_a_damaged_file(run, db_file: Path) -> None:
    run("bank", "stats")
    path = db_file
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        f.write(b"\x00\xff" * 8192)
    out = run("db", "check", expect=3).output
    assert "problem" in out and "restore a backup" in out


def test_a_damaged_database_is_named_and_a_backup_restores_it(run, db_file: Path, tmp_path: Path) -> None:
    run("bank", "stats")
    saved = tmp_path / "saved.db"
    run("db", "backup", str(saved))
    make_engine(f"sqlite:///{db_file}").dispose()
    garbage = b"\x13not sqlite\x00" * 500
    db_file.write_bytes(garbage)
    for command in (("db", "info"), ("db", "current")):
        out = run(*command, expect=3).output
        assert "is damaged" in out and "file is not a database" in out and "db restore" in out
    out = run("db", "restore", str(saved)).output
    assert "Restored" in out
    safety = next((tmp_path / "quizzer-home" / "backups").glob("quizzer-*-before-restore.db"))
    assert safety.read_bytes() == garbage  # the damaged file is kept as it was
    assert _rows(db_file, "bank_items") == _rows(saved, "bank_items") > 100
    assert "OK: no problems found." in run("db", "check").output
