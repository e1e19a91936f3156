"""Progress: a local-day column on attempts (backfilled), report indexes, FSRS schedule cache.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _local_day(value) -> int:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().date().toordinal()


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("day", sa.Integer(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, created_at FROM attempts")).fetchall()
    for attempt_id, created_at in rows:
        conn.execute(sa.text("UPDATE attempts SET day = :day WHERE id = :id"), {"day": _local_day(created_at), "id": attempt_id})
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("day", existing_type=sa.Integer(), nullable=False)
    # Covering indexes for the progress report's two aggregate scans.
    op.create_index("ix_attempts_topic_day", "attempts", ["profile_id", "topic", "day", "verdict", "score"])
    op.create_index("ix_attempts_family", "attempts", ["profile_id", "source", "family", "diagnosis", "verdict"])
    op.create_table(
        "schedule_cards",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("schedule_cards")
    op.drop_index("ix_attempts_family", "attempts")
    op.drop_index("ix_attempts_topic_day", "attempts")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("day")
