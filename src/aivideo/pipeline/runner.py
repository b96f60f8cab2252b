"""Runs the stages of one video in order, skipping those already done."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable

from aivideo.errors import RenderFailed
from aivideo.metrics import timed
from aivideo.pipeline.spec import GeneratedVideo, VideoSpec
from aivideo.pipeline.speech import preload_voice
from aivideo.pipeline.stages import STAGES, Context, Note, Stage
from aivideo.pipeline.voices import find_voice
from aivideo.pipeline.workspace import Workspace
from aivideo.resources import Resources

# (stage name, how far that stage is from 0 to 1, the whole job's percent 0-100)
ProgressReport = Callable[[str, float, int], None]

_TOTAL_WEIGHT = sum(stage.weight for stage in STAGES)


async def generate_video(
    spec: VideoSpec,
    workspace: Workspace,
    resources: Resources,
    report: ProgressReport = lambda _stage, _fraction, _percent: None,
    note: Note = lambda _kind, _message: None,
) -> GeneratedVideo:
    """Make the video described by ``spec`` in ``workspace``; ``note`` gets log lines.

    Raises:
        InvalidInput: the text, voice or media cannot make a video.
        RenderFailed: the encoder failed; the message says why.
    """
    voice = find_voice(spec.voice)
    await workspace.create()
    ctx = Context(spec, workspace, resources, note=note)
    # Start the worker processes and load the voice while the first stages run.
    # (A remote voice has nothing to load here.)
    warm_up = asyncio.gather(
        *(
            resources.run_in_process(preload_voice, voice)
            for _ in range(0 if voice.is_remote else resources.settings.process_pool_size)
        ),
        return_exceptions=True,  # a voice that fails to load fails the speech stage instead
    )
    try:
        await _run_stages(ctx, report)
    finally:
        await warm_up

    return _result(ctx, spec)


async def _run_stages(ctx: Context, report: ProgressReport) -> None:
    workspace = ctx.workspace
    done = 0  # weight of the stages finished so far
    for stage in STAGES:

        def progress(fraction: float, stage: Stage = stage, start: int = done) -> None:
            overall = int(100 * (start + stage.weight * fraction) / _TOTAL_WEIGHT)
            report(stage.name, fraction, overall)

        ctx.progress = progress
        record = await workspace.finished_stage(stage.name)
        if record is None:
            progress(0.0)
            try:
                with timed("stage", stage.name):
                    record = await stage.run(ctx)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise RenderFailed("the disk is full: free some space and try again") from exc
                raise
            finally:
                await workspace.remove_partials()
            await workspace.finish_stage(stage.name, record)
        stage.restore(ctx, record)
        progress(1.0)
        done += stage.weight


def _result(ctx: Context, spec: VideoSpec) -> GeneratedVideo:
    workspace = ctx.workspace
    render = ctx.record["render"]
    assert ctx.script is not None
    return GeneratedVideo(
        video=workspace.path(render["file"]),
        thumbnail=workspace.path(ctx.record["thumbnail"]["file"]),
        srt=workspace.path("subtitles.srt"),
        vtt=workspace.path("subtitles.vtt"),
        duration=render["duration"],
        size_bytes=render["size_bytes"],
        width=render["width"],
        height=render["height"],
        format=spec.format.value,
        narration="\n\n".join(" ".join(scene.sentences) for scene in ctx.script.scenes),
        title=ctx.script.title,
    )
