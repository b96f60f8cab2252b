"""jobs and webhooks: leases, dispatch bookkeeping, webhook schedule, per-user secrets

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from aivideo.db.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as videos:
        videos.add_column(sa.Column("worker_id", sa.String(64), nullable=True))
        videos.add_column(sa.Column("lease_expires_at", UTCDateTime(), nullable=True))
        videos.add_column(sa.Column("dispatched_at", UTCDateTime(), nullable=True))
        videos.add_column(sa.Column("not_before", UTCDateTime(), nullable=True))
        videos.add_column(sa.Column("webhook_due_at", UTCDateTime(), nullable=True))
        videos.add_column(
            sa.Column("webhook_attempts", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index("ix_videos_webhook_due_at", "videos", ["webhook_due_at"], unique=False)

    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("webhook_secret", sa.String(64), nullable=True))
    # Every existing user gets a secret of their own.
    connection = op.get_bind()
    users_table = sa.table("users", sa.column("id", sa.String), sa.column("webhook_secret"))
    for (user_id,) in connection.execute(sa.select(users_table.c.id)).all():
        connection.execute(
            users_table.update()
            .where(users_table.c.id == user_id)
            .values(webhook_secret=secrets.token_hex(32))
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.drop_column("webhook_secret")
    op.drop_index("ix_videos_webhook_due_at", table_name="videos")
    with op.batch_alter_table("videos") as videos:
        for column in (
            "webhook_attempts", "webhook_due_at", "not_before",
            "dispatched_at", "lease_expires_at", "worker_id",
        ):  # fmt: skip
            videos.drop_column(column)
