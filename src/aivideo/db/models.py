"""ORM models: users and their API keys, videos, and each video's event log."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from aivideo.core.ids import new_id
from aivideo.db.types import UTCDateTime, utcnow


def new_webhook_secret() -> str:
    return secrets.token_hex(32)


# An integer primary key that autoincrements on SQLite too (SQLite only does so
# for a plain INTEGER PRIMARY KEY, not BIGINT).
AutoIncrementId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # Signs this user's webhooks (HMAC-SHA256); receivers verify with it.
    webhook_secret: Mapped[str | None] = mapped_column(String(64), default=new_webhook_secret)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="user", cascade="all, delete")


class ApiKey(Base):
    """An API key, kept only as its SHA-256 digest; the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="api_keys")


class Lock(Base):
    """A row to lock (SELECT ... FOR UPDATE): a lock shared by every process, held until the
    transaction that took it ends. See :mod:`aivideo.db.locks`."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key", name="uq_videos_owner_idempotency_key"),
        Index("ix_videos_owner_id_id", "owner_id", "id"),
        Index("ix_videos_owner_status_id", "owner_id", "status", "id"),
        Index("ix_videos_status", "status"),
        Index("ix_videos_webhook_due_at", "webhook_due_at"),
    )

    # Time-ordered ids (UUIDv7): ordering by id is ordering by creation, which
    # makes cursor pagination a single indexed comparison.
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    title: Mapped[str | None] = mapped_column(String(200), default=None)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    webhook_url: Mapped[str | None] = mapped_column(String(2048), default=None)

    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)

    progress: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str | None] = mapped_column(String(32), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)

    # Jobs (see aivideo.jobs): who is making the video and until when their
    # claim holds; when its id was last handed to the broker; the earliest time
    # a transient failure may be retried.
    worker_id: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    not_before: Mapped[datetime | None] = mapped_column(default=None)

    # Webhooks: the next delivery attempt is due at this time (None: nothing to send).
    webhook_due_at: Mapped[datetime | None] = mapped_column(default=None)
    webhook_attempts: Mapped[int] = mapped_column(default=0, server_default="0")

    duration_seconds: Mapped[float | None] = mapped_column(default=None)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    output_format: Mapped[str | None] = mapped_column(String(8), default=None)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class VideoEvent(Base):
    """One line of a video's log: what happened, when, and at which stage."""

    __tablename__ = "video_events"
    __table_args__ = (Index("ix_video_events_video_id_id", "video_id", "id"),)

    id: Mapped[int] = mapped_column(AutoIncrementId, primary_key=True, autoincrement=True)
    video_id: Mapped[str] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class VideoPart(Base):
    """One part of a video's work that any worker may take: a segment to render, speech to say.

    Claimed like a video (``queued -> running`` by one worker, with a lease it
    renews), then ``done`` once its result is in the store. The parts of a
    stage are made anew each time the stage starts.
    """

    __tablename__ = "video_parts"

    video_id: Mapped[str] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "segment", "speech"
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    worker_id: Mapped[str | None] = mapped_column(String(64), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    done_so_far: Mapped[int] = mapped_column(default=0)  # frames, sentences: as its worker said
    seconds: Mapped[float | None] = mapped_column(default=None)  # the work's, once done
