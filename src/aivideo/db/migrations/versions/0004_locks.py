"""locks: one row per lock that transactions of every process take (the video queue's)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    locks = op.create_table("locks", sa.Column("name", sa.String(64), primary_key=True))
    op.bulk_insert(locks, [{"name": "video_queue"}])


def downgrade() -> None:
    op.drop_table("locks")
