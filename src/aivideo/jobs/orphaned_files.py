"""Deleting files in the store whose video no longer exists.

A video deleted while a worker was still uploading its files (the worker
finds its claim gone only when it records the outcome), or a folder left by
a store that failed while a video was deleted, would otherwise stay in the
store forever. The reconciler runs this after the retention sweep. Only
folders named like a video id are looked at: nothing else under the store's
prefix is touched.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from aivideo.core.ids import canonical_id
from aivideo.db.models import Video
from aivideo.jobs.tools import JobTools
from aivideo.jobs.video_files import remove_video_files

logger = logging.getLogger(__name__)

BATCH = 500  # ids per query


async def delete_orphaned_files(tools: JobTools) -> int:
    """Delete the store's folders of videos that have no row; how many folders.

    Raises:
        StorageUnavailable: the store could not be listed.
    """
    folders = [name for name in await tools.store.folders() if _is_video_id(name)]
    orphans: list[str] = []
    for start in range(0, len(folders), BATCH):
        batch = folders[start : start + BATCH]
        async with tools.sessions() as session:
            existing = set(await session.scalars(select(Video.id).where(Video.id.in_(batch))))
        orphans += [name for name in batch if name not in existing]
    for video_id in orphans:
        await remove_video_files(tools, video_id)
    if orphans:
        logger.info("deleted the files of %d videos that no longer exist from %s",
                    len(orphans), tools.store.description)  # fmt: skip
    return len(orphans)


def _is_video_id(name: str) -> bool:
    try:
        return canonical_id(name) == name
    except ValueError:
        return False
