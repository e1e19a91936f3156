"""Opening the store: engine, automatic migration on first use, sessions."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from quizzer.errors import StoreError
from quizzer.store.home import database_url

# The newest migration in db/versions. Checked against alembic's own view in the
# tests; comparing against it lets an up-to-date database open without importing alembic.
HEAD_REVISION = "0005"


@dataclass
class Store:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessions() as session:
            try:
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
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_begin(conn) -> None:  # pragma: no cover - driver callback
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory {path.parent}: {exc.strerror}") from None
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


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
        raise StoreError(f"cannot open the database: {exc.orig if hasattr(exc, 'orig') else exc}") from None
    if revision == HEAD_REVISION:
        return
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {exc}") from None
    except Exception as exc:  # alembic reports an unknown (newer) revision as CommandError
        if type(exc).__name__ in ("CommandError", "ResolutionError"):
            raise StoreError(
                f"the database is at schema revision {revision!r}, which this quizzer does not know "
                "(was it created by a newer version?)"
            ) from None
        raise


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and on first use create and migrate) the store at ``url`` or the default location."""
    resolved = database_url(url)
    engine = make_engine(resolved)
    if migrate:
        ensure_schema(engine)
    return Store(resolved, engine, sessionmaker(engine, expire_on_commit=False))
