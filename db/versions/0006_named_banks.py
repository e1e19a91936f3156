"""Named banks: every bank item belongs to one bank ("bundled", or a learner's bank such as one imported from notes).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Items imported before banks had names (bundled and `bank import` files alike) were quizzed together,
    # so they all stay in the default bank: nothing a learner practised leaves their quiz.
    with op.batch_alter_table("bank_items") as batch:
        batch.add_column(sa.Column("bank", sa.String(80), nullable=False, server_default="bundled"))
    op.create_index("ix_bank_items_bank", "bank_items", ["bank", "retired", "topic"])


def downgrade() -> None:
    op.drop_index("ix_bank_items_bank", "bank_items")
    with op.batch_alter_table("bank_items") as batch:
        batch.drop_column("bank")
