"""The six stages, each run once per video and recorded in its workspace.

A stage's ``run`` does the work and returns a JSON-able record; its
``restore`` rebuilds the context from that record. A fresh run and a resumed
one go through ``restore`` alike, so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from aivideo.errors import InvalidInput
from aivideo.pipeline import painting, subtitles
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.frame import Frame, frame_for
from aivideo.pipeline.render import RenderPlan, TimedPicture, render_video
from aivideo.pipeline.scene_graph import Shot
from aivideo.pipeline.scene_media import choose_scene_media
from aivideo.pipeline.script import Scene, Script, is_speakable, write_script
from aivideo.pipeline.spec import VideoSpec
from aivideo.pipeline.speech import Narration, assemble_narration
from aivideo.pipeline.speech_cache import SpeechCache, speaker_for
from aivideo.pipeline.visuals import BLANK_CAPTION, TITLE_SECONDS, PaintJob, plan_visuals
from aivideo.pipeline.voices import VoiceCatalogue, find_voice
from aivideo.pipeline.workspace import Workspace
from aivideo.providers.errors import ProviderFailed
from aivideo.resources import Resources

THUMBNAIL_SIZE = 512

StageProgress = Callable[[float], None]
# A line for the video's log: (kind, message), e.g. a provider that failed and its stand-in.
Note = Callable[[str, str], None]


@dataclass
class Context:
    spec: VideoSpec
    workspace: Workspace
    resources: Resources
    progress: StageProgress = lambda _fraction: None
    note: Note = lambda _kind, _message: None
    frame: Frame = field(init=False)
    script: Script | None = None
    narration: Narration | None = None
    cues: list[subtitles.Cue] = field(default_factory=list)
    plan: RenderPlan | None = None
    record: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frame = frame_for(self.spec.quality, self.spec.aspect)

    @property
    def lead_in(self) -> float:
        return TITLE_SECONDS if self.script and self.script.title else 0.0


# --- script -------------------------------------------------------------------------


async def run_script(ctx: Context) -> dict[str, Any]:
    find_voice(ctx.spec.voice)  # an unknown voice fails here, before any work
    if ctx.spec.prompt is not None:
        script = await _written_script(ctx, ctx.spec.prompt)
    else:
        # Sentence splitting takes under 0.1 s even at the 20 000 character limit:
        # a thread is enough to keep it off the loop.
        script = await ctx.resources.run_in_thread(write_script, ctx.spec.text, ctx.spec.title)
    return script.to_json()


async def _written_script(ctx: Context, prompt: str) -> Script:
    """The script writer's narration, split into scenes; its keywords go with each scene."""
    writer = ctx.resources.providers.script_writer
    if writer is None:
        raise InvalidInput(
            "this video has a prompt but the server has no script writer: set "
            "AIVIDEO_LLM_BASE_URL (and AIVIDEO_LLM_API_KEY), or send the narration as text"
        )
    written = await writer.write(prompt, ctx.spec.target_seconds)
    scenes = []
    for part in written.scenes:
        if not is_speakable(part.narration):
            continue
        split = await ctx.resources.run_in_thread(write_script, part.narration)
        scenes += [Scene(scene.sentences, part.keywords) for scene in split.scenes]
    if not scenes:
        raise ProviderFailed("the script writer's script had nothing a voice could say")
    words = sum(len(part.narration.split()) for part in written.scenes)
    ctx.note("script_written", f"the script writer wrote {words} words in {len(scenes)} scenes")
    return Script(ctx.spec.title or written.title, scenes)


def restore_script(ctx: Context, record: dict[str, Any]) -> None:
    ctx.script = Script.from_json(record)


# --- speech -------------------------------------------------------------------------


async def run_speech(ctx: Context) -> dict[str, Any]:
    assert ctx.script is not None
    settings = ctx.resources.settings
    # From the settings themselves, not what this process was told at start-up (offer_voices).
    voice = VoiceCatalogue.from_settings(settings).find(ctx.spec.voice)
    speaker = speaker_for(ctx.resources, voice)
    cache = SpeechCache.from_settings(settings)
    total, finished = len(ctx.script.sentences), 0

    async def speak(sentence: str) -> tuple[bytes, int]:
        nonlocal finished
        spoken = await cache.speak(speaker, sentence, ctx.spec.rate)
        finished += 1
        ctx.progress(finished / total)
        return spoken

    # One task per sentence keeps every worker process busy to the end.
    results = await asyncio.gather(*(speak(s) for s in ctx.script.sentences))
    sample_rate = results[0][1]
    samples = iter(audio for audio, _ in results)
    by_scene = [[(text, next(samples)) for text in scene.sentences] for scene in ctx.script.scenes]
    final = ctx.workspace.path("narration.wav")
    partial = ctx.workspace.partial(final)
    narration = await ctx.resources.run_in_thread(
        assemble_narration, by_scene, sample_rate, ctx.lead_in, partial
    )
    await ctx.workspace.commit(partial, final)
    return narration.to_json()


def restore_speech(ctx: Context, record: dict[str, Any]) -> None:
    ctx.narration = Narration.from_json(record)


# --- subtitles ----------------------------------------------------------------------


async def run_subtitles(ctx: Context) -> dict[str, Any]:
    assert ctx.narration is not None
    cues = subtitles.make_cues(ctx.narration, ctx.spec.aspect)
    await ctx.workspace.write_text("subtitles.srt", subtitles.to_srt(cues))
    await ctx.workspace.write_text("subtitles.vtt", subtitles.to_vtt(cues))
    return {"cues": subtitles.cues_to_json(cues)}


def restore_subtitles(ctx: Context, record: dict[str, Any]) -> None:
    ctx.cues = subtitles.cues_from_json(record["cues"])


# --- visuals ------------------------------------------------------------------------


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
    final = ctx.workspace.path(job.name)
    partial = ctx.workspace.partial(final)
    await ctx.resources.run_in_process(job.painter, *job.args, partial)
    await ctx.workspace.commit(partial, final)


async def run_visuals(ctx: Context) -> dict[str, Any]:
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
    return {"shots": plan.shots, "title": plan.title, "captions": plan.captions}


def _picture(root: Path, record: dict[str, Any]) -> TimedPicture:
    return TimedPicture(root / record["path"], record["start"], record["end"])


def restore_visuals(ctx: Context, record: dict[str, Any]) -> None:
    assert ctx.narration is not None
    root = ctx.workspace.root

    def located(path: str) -> Path:
        return root / path  # a clip's own absolute path stays as it is: root / "/a" == "/a"

    ctx.plan = RenderPlan(
        frame=ctx.frame,
        shots=[Shot(str(located(s["path"])), s["duration"], s["is_clip"]) for s in record["shots"]],
        narration=root / "narration.wav",
        duration=ctx.narration.duration,
        output_format=ctx.spec.format,
        title=_picture(root, record["title"]) if record["title"] else None,
        captions=[_picture(root, caption) for caption in record["captions"]],
        blank_caption=root / BLANK_CAPTION if record["captions"] else None,
        subtitles=ctx.spec.subtitles,
        subtitle_file=root
        / ("subtitles.srt" if ctx.spec.format.value == "mp4" else "subtitles.vtt"),
        music=ctx.spec.music,
        music_volume=ctx.spec.music_volume,
    )


# --- render -------------------------------------------------------------------------


def _probe_video(path: str) -> dict[str, Any]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        duration = (container.duration or 0) / av.time_base
        return {"duration": duration, "width": stream.width, "height": stream.height}


async def run_render(ctx: Context) -> dict[str, Any]:
    assert ctx.plan is not None
    final = ctx.workspace.path(f"video.{ctx.spec.format.value}")
    partial = ctx.workspace.partial(final)
    await render_video(ctx.plan, partial, ctx.progress)
    probe = await ctx.resources.run_in_thread(_probe_video, str(partial))
    size = (await asyncio.to_thread(partial.stat)).st_size
    await ctx.workspace.commit(partial, final)
    return {"file": final.name, "size_bytes": size, **probe}


def restore_render(ctx: Context, record: dict[str, Any]) -> None:
    ctx.record["render"] = record


# --- thumbnail ----------------------------------------------------------------------


def _moment_without_caption(ctx: Context) -> float:
    """The middle of the first pause between sentences after a third of the video."""
    assert ctx.narration is not None
    spoken = ctx.narration.sentences
    for before, after in zip(spoken, spoken[1:], strict=False):
        if before.end >= ctx.narration.duration / 3:
            return (before.end + after.start) / 2
    return (spoken[-1].end + ctx.narration.duration) / 2  # the silent tail


async def run_thumbnail(ctx: Context) -> dict[str, Any]:
    assert ctx.script is not None
    final = ctx.workspace.path("thumbnail.jpg")
    still = ctx.workspace.partial(ctx.workspace.path("thumbnail-frame.png"))
    partial = ctx.workspace.partial(final)
    size = THUMBNAIL_SIZE
    await run_ffmpeg(
        [
            "-ss", f"{_moment_without_caption(ctx):.3f}",
            "-i", str(ctx.workspace.path(ctx.record["render"]["file"])),
            "-frames:v", "1",
            "-vf", f"scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}",
            "-f", "image2", "-c:v", "png", "-y", str(still),
        ]
    )  # fmt: skip
    await ctx.resources.run_in_process(painting.compose_thumbnail, still, ctx.script.title, partial)
    await ctx.workspace.commit(partial, final)
    return {"file": final.name}


def restore_thumbnail(ctx: Context, record: dict[str, Any]) -> None:
    ctx.record["thumbnail"] = record


@dataclass(frozen=True)
class Stage:
    name: str
    weight: int  # share of the whole job's time, for the progress percentage
    run: Callable[[Context], Awaitable[dict[str, Any]]]
    restore: Callable[[Context, dict[str, Any]], None]


# Weights: each stage's share of a 720p job's time, measured with bench/render_bench.py.
STAGES = [
    Stage("script", 1, run_script, restore_script),
    Stage("speech", 24, run_speech, restore_speech),
    Stage("subtitles", 1, run_subtitles, restore_subtitles),
    Stage("visuals", 2, run_visuals, restore_visuals),
    Stage("render", 70, run_render, restore_render),
    Stage("thumbnail", 2, run_thumbnail, restore_thumbnail),
]
