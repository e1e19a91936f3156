"""The data home and the database URL.

Default: an SQLite file in the per-user data directory; ``QUIZZER_HOME``
moves the data home, ``QUIZZER_DB`` (or ``--db``) names any SQLAlchemy URL.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DB_FILENAME = "quizzer.db"


def data_home() -> Path:
    override = os.environ.get("QUIZZER_HOME")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        return Path(xdg).expanduser() / "quizzer"
    from platformdirs import user_data_dir

    return Path(user_data_dir("quizzer", appauthor=False))


def database_path(explicit: str | None = None) -> Path | None:
    """The SQLite file a bare path or the data home names; None when a full URL is given."""
    url = explicit or os.environ.get("QUIZZER_DB")
    if url:
        # A bare path is the friendliest thing to type: treat it as an SQLite file.
        return None if "://" in url else Path(url).expanduser().resolve()
    return data_home() / DB_FILENAME


def database_url(explicit: str | None = None) -> str:
    """``explicit`` (from --db) wins, then QUIZZER_DB, then the SQLite file in the data home.

    This is the URL as shown to people, with any password hidden; ``engine_url`` is what connects.
    """
    path = database_path(explicit)
    if path is not None:
        return f"sqlite:///{path}"
    return redact(explicit or os.environ["QUIZZER_DB"])


def engine_url(explicit: str | None = None) -> str | URL:
    """The URL to connect with. A file path is never pasted into a URL string: ``?`` in it would start
    a query (``/tmp/q?x`` would open ``/tmp/q``) and ``%20`` would be decoded, so it goes through URL.create."""
    path = database_path(explicit)
    if path is None:
        return explicit or os.environ["QUIZZER_DB"]
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path))


_PASSWORD = re.compile(r"(?<=://)([^:/@]*):[^/]*@")


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***``, even when the URL does not parse."""
    return _PASSWORD.sub(r"\1:***@", url)
