"""Opening the store: engine, automatic migration on first use, sessions.

Several learners may share one database (a study group on one SQLite file, a class on PostgreSQL), so
every write transaction takes the write lock up front and first-use migration is serialised.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from quizzer.errors import StoreError
from quizzer.store.home import database_url, engine_url, redact

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# The newest migration in db/versions. Checked against alembic's own view in the
# tests; comparing against it lets an up-to-date database open without importing alembic.
HEAD_REVISION = "0007"

# How long a writer waits for another learner's transaction before giving up. Write transactions
# last milliseconds; a long wait only ever happens behind a migration or a cache rebuild.
BUSY_TIMEOUT_S = 60.0

# Execution option that marks a transaction as read-only: on SQLite it starts with a plain BEGIN
# and so never waits for (or blocks) a writer.
_READ_ONLY = "quizzer_read_only"


def advisory_key(name: str) -> int:
    """A stable 32-bit key for a PostgreSQL advisory lock named ``name``."""
    return zlib.crc32(f"quizzer:{name}".encode())


@dataclass
class Store:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self, *, read_only: bool = False, exclusive: str | None = None) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error.

        On SQLite a session is a write transaction that holds the write lock from its first statement
        (BEGIN IMMEDIATE): a read-then-write can then never fail half way with "database is locked";
        other writers wait for it. ``read_only`` sessions use a plain BEGIN and wait for nobody.
        ``exclusive`` names work that must not run twice at once (a bank sync, a cache rebuild): on
        PostgreSQL it takes a transaction-scoped advisory lock of that name; SQLite is already serialised.
        """
        bind = self.engine.execution_options(**{_READ_ONLY: True}) if read_only else self.engine
        with self.sessions(bind=bind) as session:
            try:
                if exclusive is not None and self.engine.dialect.name == "postgresql":
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(exclusive)})
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_connect(dbapi_connection, _record) -> None:  # pragma: no cover - driver callback
    # Take transaction control away from the sqlite3 module, which would otherwise commit DDL
    # on its own: with BEGIN emitted by us (below), a failed migration rolls back completely.
    dbapi_connection.isolation_level = None
    # Wait for another writer instead of failing at once; set before anything below needs a lock.
    dbapi_connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
    # WAL: readers never block the writer nor the writer readers, and a commit is one append.
    # The mode is stored in the file, so this only changes anything the first time.
    if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] not in ("wal", "memory"):
        import sqlite3

        with contextlib.suppress(sqlite3.OperationalError):  # a read-only file keeps its mode; reading still works
            dbapi_connection.execute("PRAGMA journal_mode=WAL")


def _sqlite_begin(conn) -> None:  # pragma: no cover - driver callback
    # A deferred BEGIN that reads and then writes cannot upgrade its lock while another learner
    # writes (SQLITE_BUSY at once, the busy timeout does not help): writers take the lock up front.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


def make_engine(url: str | URL) -> Engine:
    from sqlalchemy.engine import make_url

    shown = redact(url) if isinstance(url, str) else url.render_as_string(hide_password=True)
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(
            f"cannot use database URL {shown!r}: {redact(str(exc))}; "
            "give an SQLAlchemy URL (dialect://user:password@host/db) or an SQLite file path"
        ) from None
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not parsed.query.get("uri")
    ):
        path = Path(parsed.database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {path.parent}: {exc.strerror}; "
                "set QUIZZER_HOME to a directory you can write"
            ) from None
    if parsed.drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver quizzer installs; SQLAlchemy's default for a bare URL is psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed)
    except ImportError as exc:
        raise StoreError(
            f"cannot use database URL {shown!r}: its driver is not installed ({exc}); "
            "install it with pip into quizzer's environment"
        ) from None
    except (SQLAlchemyError, ValueError) as exc:
        raise StoreError(f"cannot use database URL {shown!r}: {redact(str(exc))}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


# SQLite's own words for each fault, and what the learner should hear instead (the first match wins).
_SQLITE_FAULTS = (
    (
        ("malformed", "not a database", "file is encrypted"),
        "the database file {where} is damaged ({detail}); restore a backup with `quizzer db restore FILE` "
        "(automatic backups are in $QUIZZER_HOME/backups/), or move the file away to start afresh",
    ),
    (
        ("readonly", "read-only"),
        "the database {where} is read-only, so nothing can be saved (reading commands still work); "
        "make the file and its directory writable, or use another database with --db",
    ),
    (
        ("disk is full", "database or disk is full"),
        "the disk holding the database {where} is full; answers given so far are saved: free some space, "
        "then continue with `quizzer quiz --resume`",
    ),
    (
        ("unable to open database file",),
        "cannot open the database file {where}: check that its directory exists and is writable "
        "and that the path is not a directory, or set QUIZZER_HOME",
    ),
    (
        ("disk i/o error",),
        "the database {where} could not be read or written (disk I/O error); check the disk, "
        "then restore a backup with `quizzer db restore FILE` if the file is damaged",
    ),
    (("database is locked",), "the database {where} is busy (another quizzer is writing to it); try again in a moment"),
)


def store_error(exc: BaseException, url: str | URL | None = None) -> StoreError:
    """A one-line StoreError for a database failure, naming the file and what to do."""
    orig = getattr(exc, "orig", None) or exc
    detail = str(orig).splitlines()[0] if str(orig) else type(orig).__name__
    if url is None:
        url = database_url()
    where = url if isinstance(url, str) else url.render_as_string(hide_password=True)
    where = redact(where).removeprefix("sqlite:///")
    low = detail.lower()
    for needles, message in _SQLITE_FAULTS:
        if any(n in low for n in needles):
            return StoreError(message.format(where=where, detail=detail))
    return StoreError(f"database error on {where}: {redact(detail)}")


def _revision_in(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(**{_READ_ONLY: True}) as conn:
        return _revision_in(conn)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the alembic migrations in db/ on this engine."""
    from alembic import command
    from alembic.config import Config

    from quizzer.resources import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is not None:
            # SQLite alters a table by copying it; with foreign keys enforced, dropping the old copy
            # fails while other tables point at it. The pragma only works outside a transaction.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                # Several learners may open a new or old database at once: whoever gets the lock first
                # migrates, the others wait here and then find the schema current (alembic re-reads it).
                # SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL needs an advisory lock.
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key("migrate")})
                found = _revision_in(conn)
                if found is not None and found != HEAD_REVISION and revision == "head":
                    from quizzer.store.backup import backup_before_migration

                    backup_before_migration(engine, found)
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                if raw is not None:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise StoreError(f"the migration would leave dangling references: {dangling[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def ensure_schema(engine: Engine) -> None:
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as exc:
        raise store_error(exc, engine.url) from None
    if revision == HEAD_REVISION:
        return
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        error = store_error(exc, engine.url)
        raise StoreError(f"cannot migrate: {error}") from None
    except Exception as exc:  # alembic reports an unknown (newer) revision as CommandError
        if type(exc).__name__ in ("CommandError", "ResolutionError"):
            raise StoreError(
                f"the database is at schema revision {revision!r}, which this quizzer does not know "
                "(was it created by a newer version?)"
            ) from None
        raise


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and on first use create and migrate) the store at ``url`` or the default location."""
    engine = make_engine(engine_url(url))
    if migrate:
        ensure_schema(engine)
    return Store(database_url(url), engine, sessionmaker(engine, expire_on_commit=False))
