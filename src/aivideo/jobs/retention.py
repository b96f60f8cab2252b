"""Deleting finished videos older than ``AIVIDEO_RETENTION_DAYS``: rows and files.

The reconciler runs this with the disk-cache sweep. Rows go first, in one
transaction per batch (their events go with them); then their objects in the
store and their folders here. Files that cannot be removed are logged and
left: the video is gone for its owner either way. No webhook is sent: the
owner was told when the video finished.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from aivideo.core.status import FINAL_STATUSES
from aivideo.db import repository
from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.jobs.tools import JobTools
from aivideo.jobs.video_files import remove_video_files

logger = logging.getLogger(__name__)

BATCH = 200


async def delete_expired_videos(tools: JobTools, days: float) -> int:
    """Delete the finished videos older than ``days``; how many were deleted."""
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    finished = [status.value for status in FINAL_STATUSES]
    deleted = 0
    while True:
        async with tools.sessions() as session:
            ids = list(
                await session.scalars(
                    select(Video.id)
                    .where(
                        Video.status.in_(finished),
                        func.coalesce(Video.finished_at, Video.updated_at) < cutoff,
                    )
                    .limit(BATCH)
                )
            )
            gone = [
                video_id
                for video_id in ids
                if await repository.delete_video(session, video_id, FINAL_STATUSES)
            ]
            await session.commit()
        if gone:
            await tools.video_cache.invalidate(*gone)
            for video_id in gone:
                await remove_video_files(tools, video_id)
            logger.info("retention: deleted %d videos finished over %g days ago", len(gone), days)
        deleted += len(gone)
        if len(ids) < BATCH:
            return deleted
