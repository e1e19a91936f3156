"""Learner profiles: everything a learner does hangs off one; 'default' is created on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizzer.store.engine import Store
from quizzer.store.models import ProfileRow


def profile_id(store: Store, name: str) -> int:
    query = select(ProfileRow.id).where(ProfileRow.name == name)
    # Nearly always the profile exists: look it up without taking SQLite's write lock.
    with store.session(read_only=True) as session:
        found = session.scalar(query)
    if found is not None:
        return found
    with store.session() as session:
        found = session.scalar(query)
        if found is not None:
            return found
        try:
            # Two first commands of one learner may race (PostgreSQL lets both past the select above):
            # the loser's insert hits the unique name and it takes the winner's row.
            with session.begin_nested():
                row = ProfileRow(name=name)
                session.add(row)
            return row.id
        except IntegrityError:
            # Our insert lost on the unique name, so the winner's row is committed and the select finds it.
            winner = session.scalar(query)
            assert winner is not None
            return winner
