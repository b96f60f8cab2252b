"""Deleting a video's files: its objects in the store and its scratch folder here."""

from __future__ import annotations

import asyncio
import logging
import shutil

from aivideo.core.errors import StorageUnavailable
from aivideo.core.outputs import video_folder
from aivideo.jobs.tools import JobTools

logger = logging.getLogger(__name__)


async def remove_video_files(tools: JobTools, video_id: str) -> None:
    """Delete what is kept of ``video_id``: the store's objects, this machine's scratch folder.

    A store that fails is logged, not raised: the video's row is gone already, so
    it is gone for its owner either way.
    """
    try:
        await tools.store.delete_folder(video_id)
    except (StorageUnavailable, OSError) as exc:
        logger.warning("could not delete the files of video %s from %s: %s",
                       video_id, tools.store.description, exc)  # fmt: skip
    # A worker leaves a failed or cancelled video's folder for a retry (the default
    # store's own folder is this one too: already gone then).
    folder = video_folder(tools.storage_dir, video_id)
    await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
