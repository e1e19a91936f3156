"""The rebuildable caches of the attempt history (FSRS cards, ability estimates): one way to rebuild them.

Attempts are the only source of truth. A cache table holds per-profile state derived from them and a
version in ``meta``; when the rules that derive it change, the version changes and the cache is thrown
away and replayed. Both caches do it the same way, under a named lock so two processes never rebuild at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quizzer.store.engine import Store
from quizzer.store.meta import get_meta, set_meta


def rebuild(
    store: Store,
    *,
    table: Any,
    version_key: str,
    version: str,
    replay: Callable[[Session, int], int],
    lock: str,
    profile_id: int | None = None,
) -> int:
    """Empty ``table`` (for one profile, or all) and ``replay`` each profile's history. Returns attempts replayed."""
    from quizzer.store.models import ProfileRow

    with store.session(exclusive=lock) as session:
        ids = [profile_id] if profile_id is not None else list(session.scalars(select(ProfileRow.id)))
        query = delete(table)
        if profile_id is not None:
            query = query.where(table.profile_id == profile_id)
        session.execute(query)
        total = sum(replay(session, pid) for pid in ids)
        set_meta(session, version_key, version)
    return total


def is_current(store: Store, version_key: str, version: str) -> bool:
    """Whether the cache was built by these rules: a pure read, so it never waits for a writer."""
    with store.session(read_only=True) as session:
        return get_meta(session, version_key) == version
