"""video_parts: parts of a video's work (segments to render, speech) that many workers take

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from aivideo.db.types import UTCDateTime

# As the first tables: MariaDB's foreign key needs videos.id's charset (and its collation).
TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mariadb_charset": "utf8mb4"}

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_parts",
        sa.Column(
            "video_id", sa.String(36), sa.ForeignKey("videos.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_so_far", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        **TABLE_OPTIONS,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("video_parts")
