"""Where the bundled bank and the migrations live.

In a wheel they are packed under ``quizzer/_bundled/``; in a source checkout
(editable install, tests) they are the repository's ``questions/`` and ``db/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    packed = _PACKAGE / "_bundled" / name
    if packed.is_dir():
        return packed
    return _PACKAGE.parent / name


def bundled_questions_dir() -> Path:
    return _locate("questions")


def migrations_dir() -> Path:
    return _locate("db")
