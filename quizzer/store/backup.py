"""Backups a learner can trust: ``db backup``, ``db restore``, ``db check`` and a rolling copy before migrations.

SQLite copies go through SQLite's online backup API (``sqlite3.Connection.backup``): it copies a
consistent snapshot page by page while other learners keep answering, which a file copy of a live
WAL database does not. PostgreSQL has its own tool for this, ``pg_dump``; quizzer says how to use it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, Engine, inspect, make_url, text

from quizzer.errors import NotFound, QuizzerError, StoreError
from quizzer.store.home import data_home

# Rolling backups taken before a migration: enough to step back over a few upgrades, small enough
# not to fill a learner's disk.
BACKUPS_KEPT = 5
_TABLES = ("profiles", "quiz_sessions", "attempts", "bank_items", "generated_instances", "schedule_cards")


def backups_dir() -> Path:
    return data_home() / "backups"


def sqlite_file(url: str | URL) -> Path | None:
    """The file behind an SQLite URL; None for an in-memory database or another dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def public_url(url: str | URL) -> str:
    """``url`` with any password hidden, fit to print."""
    return make_url(url).render_as_string(hide_password=True)


def pg_dump_hint(url: str | URL, file: str = "FILE") -> str:
    # No password in the command: pg_dump asks for it (or reads PGPASSWORD / ~/.pgpass).
    given = make_url(url)
    parsed = URL.create("postgresql", given.username, None, given.host, given.port, given.database)
    return (
        f"for PostgreSQL use its own tools: pg_dump --format=custom --file {file} "
        f"'{parsed.render_as_string(hide_password=False)}' (and pg_restore --clean to restore)"
    )


def _copy(source: Path, dest: Path) -> None:
    """A consistent snapshot of the SQLite file ``source`` written to ``dest`` (replaced atomically)."""
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # A backup is one self-contained file: no -wal beside it that could get lost.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        os.replace(partial, dest)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot back up {source} to {dest}: {exc}") from None
    finally:
        src.close()


def backup(url: str | URL, dest: Path, *, force: bool = False) -> Path:
    """Write a consistent copy of the database at ``url`` to ``dest``."""
    source = sqlite_file(url)
    if source is None:
        if make_url(url).get_backend_name() == "postgresql":
            raise StoreError(pg_dump_hint(url, str(dest)))
        raise StoreError(f"only an SQLite file can be backed up by quizzer, not {public_url(url)}")
    if not source.is_file():
        raise NotFound(f"there is no database at {source} yet: nothing to back up")
    if dest.exists() and not force:
        raise QuizzerError(f"{dest} already exists; pass --force to replace it")
    if not dest.parent.is_dir():
        raise NotFound(f"the directory {dest.parent} does not exist")
    _copy(source, dest)
    return dest


def backup_before_migration(engine: Engine, revision: str) -> Path | None:
    """Keep a copy of an SQLite database about to be migrated from ``revision``; prune to BACKUPS_KEPT."""
    source = sqlite_file(str(engine.url))
    if source is None or not source.is_file():
        return None  # PostgreSQL: the class's administrator runs pg_dump (see the README)
    folder = backups_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the backup directory {folder}: {exc.strerror}; not migrating") from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    dest = folder / f"{source.stem}-{stamp}-rev{revision}.db"
    _copy(source, dest)
    for old in rolling_backups(source.stem)[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return dest


def rolling_backups(stem: str, *, kind: str = "rev") -> list[Path]:
    """The automatic backups of database ``stem`` in the data home, oldest first (names sort by time).

    ``kind``: "rev" for the copies taken before migrations, "" for those and the safety copies of restores.
    """
    folder = backups_dir()
    if not folder.is_dir():
        return []
    pattern = f"{stem}-*-{kind}*.db" if kind else f"{stem}-*.db"
    return sorted(p for p in folder.glob(pattern) if p.stem[len(stem) + 1 :][:1].isdigit())


def _revision_of(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from quizzer.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}


@dataclass
class Restored:
    source: Path
    revision: str
    safety_copy: Path | None


def restore(url: str | URL, source: Path) -> Restored:
    """Replace the database at ``url`` by the backup ``source``, after checking it and keeping a safety copy.

    A damaged database (what restores are for) is kept byte for byte as the safety copy. An older
    schema is migrated on next use.
    """
    target = sqlite_file(url)
    if target is None:
        if make_url(url).get_backend_name() == "postgresql":
            raise StoreError(pg_dump_hint(url, str(source)))
        raise StoreError(f"only an SQLite file can be restored by quizzer, not {public_url(url)}")
    if not source.is_file():
        raise NotFound(f"no backup file at {source}")
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {source}: {exc}") from None
    try:
        try:
            verdict = src.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{source} is not a quizzer database ({exc}); nothing was restored") from None
        if verdict != [("ok",)]:
            raise StoreError(f"{source} is damaged ({verdict[0][0]}); nothing was restored")
        revision = _revision_of(src)
        if revision is None:
            raise StoreError(f"{source} is not a quizzer database (no schema revision); nothing was restored")
        if revision not in _known_revisions():
            raise StoreError(
                f"{source} is at schema revision {revision!r}, which this quizzer does not know "
                "(was it made by a newer version?); nothing was restored"
            )
        safety = None
        damaged = False
        if target.is_file():
            backups_dir().mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            safety = backups_dir() / f"{target.stem}-{stamp}-before-restore.db"
            try:
                _copy(target, safety)
            except StoreError:
                # The very case a restore is for: the live file is damaged. Keep its bytes as they are.
                damaged = True
                shutil.copyfile(target, safety)
        target.parent.mkdir(parents=True, exist_ok=True)
        if damaged:
            # SQLite cannot write into a file it cannot read: put a fresh copy in its place instead.
            fresh = target.with_name(target.name + ".restoring")
            _copy(source, fresh)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(fresh, target)
        else:
            # Through the backup API into the live file: a learner with quizzer open sees the old
            # database or the restored one, never half of each.
            dst = sqlite3.connect(target, timeout=60)
            try:
                src.backup(dst)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot restore into {target}: {exc}") from None
            finally:
                dst.close()
    finally:
        src.close()
    return Restored(source, revision, safety)


@dataclass
class CheckReport:
    database: str
    revision: str | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not damage
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(engine: Engine) -> CheckReport:
    """Integrity of the whole database: pages and indexes (SQLite), references, schema revision, row counts."""
    from sqlalchemy.exc import SQLAlchemyError

    from quizzer.store.engine import HEAD_REVISION, current_revision

    report = CheckReport(public_url(str(engine.url)), None)
    try:
        report.revision = current_revision(engine)
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                found = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
                if found != ["ok"]:
                    report.problems += [f"integrity: {line}" for line in found[:20]]
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                report.problems += [
                    f"row {rowid} of {table} points at a missing {parent} row"
                    for table, rowid, parent, _ in dangling[:20]
                ]
            tables = set(inspect(conn).get_table_names())
            for table in _TABLES:
                if table in tables:
                    report.rows[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    except SQLAlchemyError as exc:
        report.problems.append(f"cannot read the database: {getattr(exc, 'orig', exc)}")
        return report
    if report.revision is None:
        report.notes.append("no schema yet (created on first use, or `quizzer db upgrade`)")
    elif report.revision != HEAD_REVISION:
        report.notes.append(
            f"schema revision {report.revision}, this quizzer expects {HEAD_REVISION} "
            "(migrated on next use, or `quizzer db upgrade`)"
        )
    return report
