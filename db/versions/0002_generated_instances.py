"""Generated problem instances with their closed-form and torch-verified answers.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "generated_instances",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("family", sa.String(60), nullable=False, index=True),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        # Instance seeds are 63-bit; BigInteger keeps PostgreSQL from overflowing.
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("torch_answer", sa.JSON(), nullable=True),
        sa.Column("agree", sa.Boolean(), nullable=True),
        sa.Column("torch_version", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("generated_instances")
