"""Deleting finished videos older than ``AIVIDEO_RETENTION_DAYS``: rows and files.

The reconciler runs this with the disk-cache sweep. Rows go first, in one
transaction per batch (their events go with them); then the folders. A folder
that cannot be removed is logged and left: the video is gone for its owner
either way. No webhook is sent: the owner was told when the video finished.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from datetime import timedelta

from sqlalchemy import func, select

from aivideo.core.outputs import video_folder
from aivideo.core.status import FINAL_STATUSES
from aivideo.db import repository
from aivideo.db.models import Video
from aivideo.db.types import utcnow
from aivideo.jobs.tools import JobTools

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
            await asyncio.to_thread(_remove_folders, tools, gone)
            logger.info("retention: deleted %d videos finished over %g days ago", len(gone), days)
        deleted += len(gone)
        if len(ids) < BATCH:
            return deleted


def _remove_folders(tools: JobTools, video_ids: list[str]) -> None:
    for video_id in video_ids:
        folder = video_folder(tools.storage_dir, video_id)
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.warning("retention: could not remove %s: %s", folder, exc)
