"""The data home and the database URL.

Default: an SQLite file in the per-user data directory; ``QUIZZER_HOME``
moves the data home, ``QUIZZER_DB`` (or ``--db``) names any SQLAlchemy URL.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def database_url(explicit: str | None = None) -> str:
    """``explicit`` (from --db) wins, then QUIZZER_DB, then the SQLite file in the data home."""
    url = explicit or os.environ.get("QUIZZER_DB")
    if url:
        if "://" not in url:
            # A bare path is the friendliest thing to type: treat it as an SQLite file.
            return f"sqlite:///{Path(url).expanduser().resolve()}"
        return url
    return f"sqlite:///{data_home() / DB_FILENAME}"
