"""The visuals stage: a picture or clip per scene, the title card and caption bands painted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aivideo.core.outputs import NARRATION, subtitle_track
from aivideo.pipeline.context import Context
from aivideo.pipeline.records import Placed, VisualsRecord
from aivideo.pipeline.render import RenderPlan, TimedPicture
from aivideo.pipeline.scene_graph import Shot
from aivideo.pipeline.sources.chain import choose_scene_media
from aivideo.pipeline.visuals import BLANK_CAPTION, PaintJob, plan_visuals


def _scene_durations(ctx: Context) -> list[float]:
    """Each scene lasts from its first sentence to the next scene's (the first from 0)."""
    assert ctx.script is not None and ctx.narration is not None
    starts, index = [], 0
    for scene in ctx.script.scenes:
        starts.append(ctx.narration.sentences[index].start)
        index += len(scene.sentences)
    starts[0] = 0.0
    ends = [*starts[1:], ctx.narration.duration]
    return [end - start for start, end in zip(starts, ends, strict=True)]


async def _paint(ctx: Context, job: PaintJob) -> None:
    async with ctx.workspace.atomic(job.name) as partial:
        await ctx.tools.run_in_process(job.painter, *job.args, partial)


async def run(ctx: Context) -> VisualsRecord:
    assert ctx.script is not None
    media = await choose_scene_media(ctx, ctx.script.scenes)
    plan = plan_visuals(
        ctx.spec, ctx.frame, ctx.script.title, ctx.cues, _scene_durations(ctx), media
    )
    finished = 0

    async def paint(job: PaintJob) -> None:
        nonlocal finished
        await _paint(ctx, job)
        finished += 1
        ctx.progress(finished / len(plan.jobs))

    await asyncio.gather(*(paint(job) for job in plan.jobs))
    return VisualsRecord(plan.shots, plan.title, plan.captions)


def parse(data: dict[str, Any]) -> VisualsRecord:
    return VisualsRecord.from_json(data)


def restore(ctx: Context, record: VisualsRecord) -> None:
    assert ctx.narration is not None
    root = ctx.workspace.root

    def picture(placed: Placed) -> TimedPicture:
        return TimedPicture(root / placed.path, placed.start, placed.end)

    def located(path: str) -> Path:
        return root / path  # a clip's own absolute path stays as it is: root / "/a" == "/a"

    ctx.plan = RenderPlan(
        frame=ctx.frame,
        shots=[
            Shot(str(located(shot.path)), shot.duration, shot.is_clip, shot.container_format)
            for shot in record.shots
        ],
        narration=root / NARRATION,
        duration=ctx.narration.duration,
        output_format=ctx.spec.format,
        title=picture(record.title) if record.title else None,
        captions=[picture(caption) for caption in record.captions],
        blank_caption=root / BLANK_CAPTION if record.captions else None,
        subtitles=ctx.spec.subtitles,
        subtitle_file=root / subtitle_track(ctx.spec.format.value),
        music=ctx.spec.music,
        music_volume=ctx.spec.music_volume,
    )
