"""The thumbnail stage: a frame without a caption, with the title painted on it."""

from __future__ import annotations

from typing import Any

from aivideo.core.atomic_files import partial_path
from aivideo.core.outputs import THUMBNAIL, THUMBNAIL_FRAME
from aivideo.pipeline import painting
from aivideo.pipeline.context import Context
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.records import ThumbnailRecord
from aivideo.pipeline.thumbnail import frame_grab_args, moment_without_caption


async def run(ctx: Context) -> ThumbnailRecord:
    assert ctx.script is not None and ctx.narration is not None and ctx.rendered is not None
    # The grabbed frame is only a step: it stays a temporary file, removed with the others.
    still = partial_path(ctx.workspace.path(THUMBNAIL_FRAME))
    video = ctx.workspace.path(ctx.rendered.file)
    await run_ffmpeg(frame_grab_args(video, moment_without_caption(ctx.narration), still))
    async with ctx.workspace.atomic(THUMBNAIL) as partial:
        await ctx.tools.run_in_process(painting.compose_thumbnail, still, ctx.script.title, partial)
    return ThumbnailRecord(THUMBNAIL)


def parse(data: dict[str, Any]) -> ThumbnailRecord:
    return ThumbnailRecord.from_json(data)


def restore(ctx: Context, record: ThumbnailRecord) -> None:
    ctx.thumbnail = record.file
