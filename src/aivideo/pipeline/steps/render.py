"""The render stage: the plan encoded into the video file, then probed."""

from __future__ import annotations

import asyncio
from typing import Any

from aivideo.core.outputs import video_file
from aivideo.media.probe import probe_video
from aivideo.pipeline.context import Context
from aivideo.pipeline.records import RenderedVideo
from aivideo.pipeline.render import render_video


async def run(ctx: Context) -> RenderedVideo:
    assert ctx.plan is not None
    if ctx.only_video:
        # Nothing more is spoken: the pool's voices (about 230 MB a process) would
        # sit idle through the encoders' peak. A running worker keeps them for the next video.
        await ctx.tools.renew_process_pool()
    name = video_file(ctx.spec.format.value)
    async with ctx.workspace.atomic(name) as partial:
        await render_video(
            ctx.plan, partial, ctx.progress,
            farm=ctx.segment_farm, scenes_per_segment=ctx.tools.settings.segment_scenes,
        )  # fmt: skip
        probe = await ctx.tools.run_in_thread(probe_video, partial)
        size = (await asyncio.to_thread(partial.stat)).st_size
    return RenderedVideo(name, size, probe.duration, probe.width, probe.height)


def parse(data: dict[str, Any]) -> RenderedVideo:
    return RenderedVideo.from_json(data)


def restore(ctx: Context, record: RenderedVideo) -> None:
    ctx.rendered = record
