"""A video marked completed, with files of the test's choosing, without rendering it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import update

from aivideo.core import outputs
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources

# Every file the API serves for a finished MP4 video, by route.
SERVED_FILES = {
    "file": outputs.video_file("mp4"),
    "thumbnail.jpg": outputs.THUMBNAIL,
    "subtitles.vtt": outputs.SUBTITLES_VTT,
    "subtitles.srt": outputs.SUBTITLES_SRT,
}


def _write(folder: Path, files: dict[str, bytes | int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        with (folder / name).open("wb") as file:
            if isinstance(content, int):
                file.truncate(content)  # that many bytes, without writing them (sparse)
            else:
                file.write(content)


async def finish_video(resources: Resources, video_id: str, files: dict[str, bytes | int]) -> None:
    """Mark ``video_id`` completed (MP4) and put ``files`` (content, or a size) in its folder."""
    folder = outputs.video_folder(resources.storage_dir, video_id)
    await asyncio.to_thread(_write, folder, files)
    async with resources.sessions() as session:
        await session.execute(
            update(Video)
            .where(Video.id == video_id)
            .values(status="completed", progress=100, output_format="mp4")
        )
        await session.commit()
