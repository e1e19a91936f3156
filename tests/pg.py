"""Per-test PostgreSQL databases: one migrated template per test run, copied for each test (fast)."""

from __future__ import annotations

import itertools
import os

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

_counter = itertools.count()
_template: str | None = None


def _name(kind: str) -> str:
    return f"quizzer_test_{kind}_{os.getpid()}"


def admin(server_url: str) -> Engine:
    """An engine on the server's maintenance database, outside transactions (CREATE DATABASE needs that)."""
    url = make_url(server_url).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _url_of(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def fresh_empty(server_url: str, tag: str = "empty") -> str:
    """A brand-new, empty database (no schema): for first-use migration tests."""
    name = f"{_name(tag)}_{next(_counter)}"
    engine = admin(server_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return _url_of(server_url, name)


def template(server_url: str) -> str:
    """The migrated template, made once per test process."""
    global _template
    if _template is None:
        from quizzer.store.engine import open_store

        url = fresh_empty(server_url, "template")
        open_store(url).close()
        _template = make_url(url).database
    return _template


def create_database(server_url: str) -> str:
    name = f"{_name('db')}_{next(_counter)}"
    engine = admin(server_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template(server_url)}"'))
    finally:
        engine.dispose()
    return _url_of(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    engine = admin(server_url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        engine.dispose()


def drop_template(server_url: str) -> None:
    global _template
    if _template is not None:
        drop_database(server_url, _url_of(server_url, _template))
        _template = None
