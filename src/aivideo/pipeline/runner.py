"""Runs the stages of one video in order, skipping those already done."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable
from typing import Any

from aivideo.core.errors import DiskFull
from aivideo.core.outputs import (
    STORYBOARD,
    SUBTITLES_SRT,
    SUBTITLES_VTT,
    WORDS,
    scene_preview,
)
from aivideo.core.spec import GeneratedVideo, VideoSpec
from aivideo.observability.metrics import timed
from aivideo.pipeline.context import Context, Note
from aivideo.pipeline.render import SegmentFarm
from aivideo.pipeline.speech import registry as speech_engines
from aivideo.pipeline.speech.spoken_lines import SpeechFarm
from aivideo.pipeline.stage_copies import StageCopies
from aivideo.pipeline.stages import STAGES, Stage
from aivideo.pipeline.tools import PipelineTools
from aivideo.pipeline.workspace import Workspace

# (stage name, how far that stage is from 0 to 1, the whole job's percent 0-100)
ProgressReport = Callable[[str, float, int], None]

_TOTAL_WEIGHT = sum(stage.weight for stage in STAGES)


async def generate_video(
    spec: VideoSpec,
    workspace: Workspace,
    tools: PipelineTools,
    report: ProgressReport = lambda _stage, _fraction, _percent: None,
    note: Note = lambda _kind, _message: None,
    copies: StageCopies | None = None,
    segment_farm: SegmentFarm | None = None,
    speech_farm: SpeechFarm | None = None,
    only_video: bool = False,
) -> GeneratedVideo:
    """Make the video described by ``spec`` in ``workspace``; ``note`` gets log lines.

    With ``copies``, each finished stage is also kept in a remote store, and a
    stage finished on another machine is taken from there instead of run again.
    ``segment_farm`` encodes the picture's segments and ``speech_farm`` speaks the
    sentences (default: this process). ``only_video``: the process makes no other
    video, so what only speech needs is let go before the render.

    Raises:
        InvalidInput: the text, voice or media cannot make a video.
        RenderFailed: the encoder failed; the message says why.
        DiskFull: storage ran out of space (worth trying again later).
        StorageUnavailable: the store of ``copies`` did not answer (worth trying again).
    """
    # From the settings themselves: the voices they offer now (the voices folder looked at).
    voices = await speech_engines.current_voice_catalogue(tools.settings, fresh=True)
    voice = voices.find(spec.voice)
    await workspace.create()
    ctx = Context(
        spec, workspace, tools, voices, note=note,
        segment_farm=segment_farm, speech_farm=speech_farm, only_video=only_video,
    )  # fmt: skip
    # Start the worker processes and load the voices while the first stages run.
    spoken_with = [voice, *(voices.voices[name] for name in spec.voices if name in voices.voices)]
    warm_up = asyncio.gather(
        *(speech_engines.preload(each, tools) for each in dict.fromkeys(spoken_with)),
        return_exceptions=True,  # a voice that fails to load fails the speech stage instead
    )
    try:
        await _run_stages(ctx, report, copies)
    finally:
        await warm_up

    return _result(ctx, spec)


async def _run_stages(ctx: Context, report: ProgressReport, copies: StageCopies | None) -> None:
    workspace = ctx.workspace
    done = 0  # weight of the stages finished so far
    for stage in STAGES:

        def progress(fraction: float, stage: Stage[Any] = stage, start: int = done) -> None:
            overall = int(100 * (start + stage.weight * fraction) / _TOTAL_WEIGHT)
            report(stage.name, fraction, overall)

        ctx.progress = progress
        data = await _finished_stage(ctx, stage.name, copies)
        if data is None:
            progress(0.0)
            try:
                with timed("stage", stage.name):
                    record = await stage.run(ctx)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise DiskFull() from exc
                raise
            finally:
                await workspace.remove_partials()
            await workspace.finish_stage(stage.name, record.to_json())
            if copies is not None:
                # After the record here: a store that fails now costs a retry on this
                # machine no stage (it puts the copy then), on another one this stage.
                await copies.save(stage.name, record.to_json())
        else:
            record = stage.parse(data)
        stage.restore(ctx, record)
        progress(1.0)
        done += stage.weight


async def _finished_stage(
    ctx: Context, name: str, copies: StageCopies | None
) -> dict[str, Any] | None:
    """What the stage recorded here, else in the store (its files brought here), else None."""
    data = await ctx.workspace.finished_stage(name)
    if copies is None:
        return data
    if data is not None:
        await copies.remember(name, data)
        return data
    data = await copies.fetch(name)
    if data is not None:
        await ctx.workspace.finish_stage(name, data)
        ctx.note("stage_restored", f"{name}: finished on an earlier attempt, taken from "
                 f"{copies.store.description}")  # fmt: skip
    return data


def _result(ctx: Context, spec: VideoSpec) -> GeneratedVideo:
    workspace = ctx.workspace
    rendered = ctx.rendered
    assert ctx.script is not None and rendered is not None and ctx.thumbnail is not None
    return GeneratedVideo(
        video=workspace.path(rendered.file),
        thumbnail=workspace.path(ctx.thumbnail),
        srt=workspace.path(SUBTITLES_SRT),
        vtt=workspace.path(SUBTITLES_VTT),
        duration=rendered.duration,
        size_bytes=rendered.size_bytes,
        width=rendered.width,
        height=rendered.height,
        format=spec.format.value,
        narration="\n\n".join(" ".join(scene.sentences) for scene in ctx.script.scenes),
        title=ctx.script.title,
        words=workspace.path(WORDS),
        storyboard=workspace.path(STORYBOARD),
        scene_previews=tuple(
            workspace.path(scene_preview(index)) for index in range(len(ctx.script.scenes))
        ),
    )
