"""A finished video's files into the store, before the video is recorded as completed.

Every file a user downloads goes up (the store shows each whole or not at
all); only then may the worker record the video as completed, so no one is
ever told of a video whose files are not there yet. An upload that fails
raises ``StorageUnavailable``, which is transient: the video is tried again
after a backoff, its finished stages kept on this machine's disk.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from aivideo.core import outputs
from aivideo.core.spec import GeneratedVideo
from aivideo.storage import ObjectStore, Upload
from aivideo.storage.uploads import put_all

logger = logging.getLogger(__name__)


def uploads_of(video_id: str, result: GeneratedVideo, title: str | None) -> list[Upload]:
    """What to store for each file of ``result``, with the headers it is served with."""
    return [_upload(video_id, path, title) for path in result.downloads]


def _upload(video_id: str, path: Path, title: str | None) -> Upload:
    disposition = None
    if outputs.is_attachment(path.name):
        filename = outputs.download_name(title, video_id, path.name)
        disposition = outputs.attachment_header(filename)
    return Upload(
        outputs.object_key(video_id, path.name), path, outputs.media_type(path.name), disposition
    )


async def publish_outputs(store: ObjectStore, uploads: list[Upload]) -> None:
    """Put every upload the store does not hold already into ``store``, a few at once."""
    to_send = [upload for upload in uploads if not store.holds(upload)]
    if not to_send:
        return
    started = time.monotonic()
    await put_all(store, to_send)
    logger.info("%d files stored in %s in %.2f s",
                len(to_send), store.description, time.monotonic() - started)  # fmt: skip
