"""The life of a video: queued -> running -> completed | failed | cancelled."""

from __future__ import annotations

import enum


class VideoStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({VideoStatus.COMPLETED, VideoStatus.FAILED, VideoStatus.CANCELLED})
CANCELLABLE_STATUSES = frozenset({VideoStatus.QUEUED, VideoStatus.RUNNING})
RETRYABLE_STATUSES = frozenset({VideoStatus.FAILED, VideoStatus.CANCELLED})
