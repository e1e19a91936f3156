"""Learner profiles: everything a learner does hangs off one; 'default' is created on first use."""

from __future__ import annotations

from sqlalchemy import select

from quizzer.store.engine import Store
from quizzer.store.models import ProfileRow


def profile_id(store: Store, name: str) -> int:
    with store.session() as session:
        row = session.scalars(select(ProfileRow).where(ProfileRow.name == name)).first()
        if row is None:
            row = ProfileRow(name=name)
            session.add(row)
            session.flush()
        return row.id
