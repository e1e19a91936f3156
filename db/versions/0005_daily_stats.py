"""Daily statistics cache for reports; drop the attempt-scan indexes it replaces.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_stats",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("topic", sa.String(40), primary_key=True),
        sa.Column("family", sa.String(60), primary_key=True),
        sa.Column("diagnosis", sa.String(80), primary_key=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
    )
    # Filled from the attempts on first use (quizzer.progress.stats.ensure_daily_stats).
    op.drop_index("ix_attempts_topic_day", "attempts")
    op.drop_index("ix_attempts_family", "attempts")


def downgrade() -> None:
    op.create_index("ix_attempts_family", "attempts", ["profile_id", "source", "family", "diagnosis", "verdict"])
    op.create_index("ix_attempts_topic_day", "attempts", ["profile_id", "topic", "day", "verdict", "score"])
    op.drop_table("daily_stats")
