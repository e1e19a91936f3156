"""Ability estimates (Elo) per learner and numeric skill or topic: a cache rebuilt from the attempts.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "abilities",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("theta", sa.Float(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
    )
    # Filled from the attempts on first use (quizzer.progress.ability.ensure_abilities).


def downgrade() -> None:
    op.drop_table("abilities")
