"""The visuals stage: a picture or clip per scene, the title card, and the storyboard."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from aivideo.core.languages import iso639_2
from aivideo.core.options import SubtitleMode, VisualChoice
from aivideo.core.outputs import NARRATION, STORYBOARD, scene_preview, subtitle_track
from aivideo.pipeline.captions import make_captions
from aivideo.pipeline.context import Context
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.records import Placed, PlannedShot, VisualsRecord
from aivideo.pipeline.render import RenderPlan
from aivideo.pipeline.scene_graph import Shot
from aivideo.pipeline.scene_words import SceneWords, describe_scenes
from aivideo.pipeline.segments import TimedPicture
from aivideo.pipeline.sources.chain import choose_scene_media
from aivideo.pipeline.storyboard import clip_preview_args, paint_preview, storyboard
from aivideo.pipeline.visuals import PaintJob, plan_visuals


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


def _note_undrawn_pictograms(ctx: Context, words: list[SceneWords]) -> None:
    """Say which of a storyboard's pictograms the scene goes without (no Twemoji art)."""
    for index, (scene, said) in enumerate(zip(ctx.spec.scenes, words, strict=False)):
        drawn = {pictogram.emoji.replace("\ufe0f", "") for pictogram in said.pictograms}
        missing = [e for e in scene.pictograms if e.replace("\ufe0f", "") not in drawn]
        if missing:
            ctx.note(
                "pictograms_not_drawn",
                f"scenes[{index}].pictograms: there is no picture of {' '.join(missing)} "
                "(Twemoji has none yet); the scene shows the others",
            )


async def _paint(ctx: Context, job: PaintJob) -> None:
    async with ctx.workspace.atomic(job.name) as partial:
        await ctx.tools.run_in_process(job.painter, *job.args, partial)


async def _preview(ctx: Context, index: int, planned: PlannedShot) -> None:
    frame = ctx.frame
    async with ctx.workspace.atomic(scene_preview(index)) as partial:
        if planned.is_clip:
            shot = Shot(planned.path, planned.duration, True, planned.container_format)
            await run_ffmpeg(clip_preview_args(shot, frame.width, frame.height, partial))
        else:
            picture = ctx.workspace.path(planned.path)
            await ctx.tools.run_in_process(
                paint_preview, picture, frame.width, frame.height, partial
            )


async def run(ctx: Context) -> VisualsRecord:
    assert ctx.script is not None
    scenes = ctx.script.scenes
    media = await choose_scene_media(ctx, scenes)
    words = await ctx.tools.run_in_process(
        describe_scenes,
        [" ".join(scene.sentences) for scene in scenes],
        ctx.language,
        ctx.spec.visuals in (VisualChoice.AUTO, VisualChoice.PICTOGRAMS),
        ctx.spec.scenes,
    )
    _note_undrawn_pictograms(ctx, words)
    durations = _scene_durations(ctx)
    plan = plan_visuals(ctx.spec, ctx.frame, ctx.script.title, durations, media, words)
    finished = 0

    async def paint(job: PaintJob) -> None:
        nonlocal finished
        await _paint(ctx, job)
        finished += 1
        ctx.progress(finished / (len(plan.jobs) + 1))

    await asyncio.gather(*(paint(job) for job in plan.jobs))
    await asyncio.gather(*(_preview(ctx, index, shot) for index, shot in enumerate(plan.shots)))
    board = storyboard(scenes, durations, plan.kinds, words, plan.credits)
    await ctx.workspace.write_text(STORYBOARD, json.dumps(board, ensure_ascii=False, indent=1))
    return VisualsRecord(plan.shots, plan.title, plan.headlines, plan.credits)


def parse(data: dict[str, Any]) -> VisualsRecord:
    return VisualsRecord.from_json(data)


def restore(ctx: Context, record: VisualsRecord) -> None:
    assert ctx.narration is not None
    root = ctx.workspace.root

    def picture(placed: Placed) -> TimedPicture:
        return TimedPicture(root / placed.path, placed.start, placed.end)

    def located(path: str) -> Path:
        return root / path  # a clip's own absolute path stays as it is: root / "/a" == "/a"

    burned = ctx.spec.subtitles is SubtitleMode.BURNED
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
        captions=(
            make_captions(ctx.narration, ctx.cues, ctx.spec.aspect, ctx.spec.caption_style)
            if burned
            else []
        ),
        headlines=record.headlines,
        credits=record.credits,
        subtitles=ctx.spec.subtitles,
        subtitle_file=root / subtitle_track(ctx.spec.format.value),
        subtitle_language=iso639_2(ctx.language),
        music=ctx.spec.music,
        music_volume=ctx.spec.music_volume,
    )
