"""Small facts about the store (``meta`` table): which bundle was synced, which cache rules were used."""

from __future__ import annotations

from sqlalchemy.orm import Session

from quizzer.store.models import MetaRow


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(MetaRow, key)
    return None if row is None else row.value


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(MetaRow, key)
    if row is None:
        session.add(MetaRow(key=key, value=value))
    else:
        row.value = value
