"""The render stage: ffmpeg turns pictures, captions and audio into the video.

All per-frame work happens inside ffmpeg: the moving backgrounds and their
cross-fades (``scene_graph``), the title card, and the captions and headlines,
which libass draws from an ASS script (``overlay_text``). Python never touches
a frame.

A long video is made in segments of a few scenes each (two encoded at a time up
to 720p), then joined without re-encoding, and the sound, encoded meanwhile, is
added in that last pass. ffmpeg keeps every input of a run in memory, so a
10-minute video in one run would need gigabytes; in segments it needs what a
few scenes need. A cross-fade that falls on a segment boundary is drawn at the
start of the later segment, from the end of the scene
before it, so no seam shows.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import anyio

from aivideo.core.atomic_files import PARTIAL_SUFFIX, partial_path
from aivideo.core.cores import usable_cores
from aivideo.core.options import OutputFormat, SubtitleMode
from aivideo.pipeline.captions import Caption
from aivideo.pipeline.ffmpeg import ProgressCallback, run_ffmpeg
from aivideo.pipeline.frame import FPS, Frame
from aivideo.pipeline.overlay_text import Headline, ass_script
from aivideo.pipeline.scene_graph import Shot
from aivideo.pipeline.segments import (
    FONTS_FOLDER,
    SegmentJob,
    TimedPicture,
    encode_segment,
    fonts_for_captions,
)

# (segment number, frames of it encoded so far)
SegmentFrames = Callable[[int, int], None]

SCENES_PER_SEGMENT = 2
# Two segments are encoded at once: one x264 kept only 1.6 of 2 cores busy, and a
# 720p minute's render took 12.1 s instead of 14.5 s (bench/render_bench.py). At 1080p
# too, now that `aivideo generate` lets the voices go before the render (steps/render.py):
# 10.8 minutes took 271 s instead of 294 s, its peak memory still the speech's (970 MiB).
# Larger frames than 1080p would be one at a time.
SEGMENTS_AT_ONCE = 2
SEGMENTS_AT_ONCE_PIXELS = 1920 * 1080
_MUX_SHARE = 0.02  # of the stage's progress: the last pass only copies what was encoded

_AUDIO_ENCODER = {
    OutputFormat.MP4: ["-c:a", "aac", "-b:a", "128k"],
    OutputFormat.WEBM: ["-c:a", "libopus", "-b:a", "96k"],
}
_CONTAINER = {
    OutputFormat.MP4: ["-movflags", "+faststart", "-f", "mp4"],
    OutputFormat.WEBM: ["-f", "webm"],
}
_SOFT_SUBTITLE_CODEC = {OutputFormat.MP4: "mov_text", OutputFormat.WEBM: "webvtt"}


@dataclass
class RenderPlan:
    frame: Frame
    shots: list[Shot]
    narration: Path
    duration: float
    output_format: OutputFormat
    title: TimedPicture | None = None  # full frame, at the top left
    captions: list[Caption] = field(default_factory=list)  # burned in
    headlines: list[Headline] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)  # what the pictures' licences ask for
    subtitles: SubtitleMode = SubtitleMode.NONE
    subtitle_file: Path | None = None  # SRT for mp4, WebVTT for webm
    subtitle_language: str | None = None  # the track's tag, ISO 639-2 ("spa"); None: untagged
    music: Path | None = None
    music_volume: float = 0.15

    @property
    def total_frames(self) -> int:
        return round(self.duration * FPS)

    def starts(self) -> list[float]:
        """When each scene starts (its cross-fade in, for all but the first)."""
        times, clock = [], 0.0
        for shot in self.shots:
            times.append(clock)
            clock += shot.duration
        return times


def _audio_graph(plan: RenderPlan) -> str:
    if not plan.music:
        return "[0:a]aresample=48000[audio]"
    fade_start = max(0.0, plan.duration - 3)
    return ";".join(
        [
            "[0:a]aresample=48000,asplit[voice][key]",
            f"[1:a]aresample=48000,volume={plan.music_volume},"
            f"afade=t=out:st={fade_start:.3f}:d=3[music]",
            # The music ducks while the voice speaks, and comes back up in the pauses.
            "[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]",
            "[voice][ducked]amix=inputs=2:duration=first:normalize=0[audio]",
        ]
    )


def _audio_arguments(plan: RenderPlan, output: Path) -> list[str]:
    """The sound track alone: the voice (and any music ducked under it), encoded once."""
    inputs = ["-i", str(plan.narration)]
    if plan.music:
        inputs += ["-stream_loop", "-1", "-i", str(plan.music)]
    return [
        *inputs, "-filter_complex", _audio_graph(plan), "-map", "[audio]",
        *_AUDIO_ENCODER[plan.output_format], "-ar", "48000", "-t", f"{plan.duration:.3f}",
        "-f", plan.output_format.value, "-y", str(output),
    ]  # fmt: skip


def _mux_arguments(plan: RenderPlan, segment_list: Path, audio: Path, output: Path) -> list[str]:
    """Join the segments and the sound track, both copied as they are, and any subtitle track."""
    inputs = ["-f", "concat", "-safe", "0", "-i", str(segment_list), "-i", str(audio)]
    maps = ["-map", "0:v", "-map", "1:a"]
    if plan.subtitles is SubtitleMode.SOFT and plan.subtitle_file:
        inputs += ["-i", str(plan.subtitle_file)]
        codec = _SOFT_SUBTITLE_CODEC[plan.output_format]
        maps += ["-map", "2:s", "-c:s", codec]
        if plan.subtitle_language:
            maps += ["-metadata:s:s:0", f"language={plan.subtitle_language}"]
    credits = ["-metadata", "comment=" + "; ".join(plan.credits)] if plan.credits else []
    return [
        *inputs, *maps, *credits, "-c:v", "copy", "-c:a", "copy",
        "-t", f"{plan.duration:.3f}", *_CONTAINER[plan.output_format], "-y", str(output),
    ]  # fmt: skip


def _segments(count: int, scenes_per_segment: int) -> list[range]:
    return [
        range(i, min(i + scenes_per_segment, count)) for i in range(0, count, scenes_per_segment)
    ]


def _concat_list(paths: Sequence[Path]) -> str:
    return "ffconcat version 1.0\n" + "".join(f"file '{path.name}'\n" for path in paths)


def segment_jobs(
    plan: RenderPlan, scenes_per_segment: int = SCENES_PER_SEGMENT
) -> list[SegmentJob]:
    """The plan's picture cut into segments of ``scenes_per_segment`` scenes, in order.

    Blocking (the captions' scripts read the fonts' character sets): run it in a thread.
    """
    starts = plan.starts()
    jobs = []
    for number, scenes in enumerate(_segments(len(plan.shots), scenes_per_segment)):
        first, last = scenes.start, scenes[-1]
        begin, end = starts[first], starts[last] + plan.shots[last].duration
        captions = None
        if plan.captions or plan.headlines:
            captions = ass_script(plan.frame, plan.captions, plan.headlines, begin, end)
        jobs.append(
            SegmentJob(
                number,
                first,
                last,
                begin,
                end,
                plan.frame,
                plan.output_format,
                tuple(plan.shots),
                plan.title,
                captions,
            )  # fmt: skip
        )
    return jobs


class SegmentFarm(Protocol):
    """Who encodes a video's segments: this process alone, or workers on many machines."""

    async def encode(
        self, jobs: Sequence[SegmentJob], folder: Path, on_frames: SegmentFrames
    ) -> list[Path]:
        """Each job's segment as a file in ``folder``, in the jobs' order.

        ``on_frames(number, frames)`` hears how far each segment has got.

        Raises:
            RenderFailed: a segment could not be encoded.
        """
        ...


class EncodedHere:
    """Every segment encoded in this process, two at a time up to 720p."""

    async def encode(
        self, jobs: Sequence[SegmentJob], folder: Path, on_frames: SegmentFrames
    ) -> list[Path]:
        fonts = await fonts_for_captions(folder)
        at_once = asyncio.Semaphore(segments_at_once(jobs[0].frame) if jobs else 1)

        async def encode(job: SegmentJob) -> Path:
            async with at_once:
                return await encode_segment(
                    job, folder, fonts, lambda frames: on_frames(job.number, frames)
                )

        return await all_or_none([encode(job) for job in jobs])


def segments_at_once(frame: Frame) -> int:
    """How many segments of this size this process encodes at a time (one on one core)."""
    if frame.width * frame.height > SEGMENTS_AT_ONCE_PIXELS:
        return 1
    return min(SEGMENTS_AT_ONCE, usable_cores())


async def all_or_none(work: Sequence[Coroutine[Any, Any, Path]]) -> list[Path]:
    """Run them together; if one fails (or the caller is cancelled), stop the others."""
    tasks = [asyncio.create_task(each) for each in work]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def render_video(
    plan: RenderPlan,
    output: Path,
    on_progress: ProgressCallback | None = None,
    *,
    farm: SegmentFarm | None = None,
    scenes_per_segment: int = SCENES_PER_SEGMENT,
) -> None:
    """Encode the plan into ``output`` (the caller renames it into place when done).

    The sound track is encoded while the picture's segments are: x264 leaves
    part of the cores idle, and the last pass then only copies both. Segment
    files and playlists are written beside ``output`` under hidden ``.part``
    names, and removed at the end. ``farm`` encodes the segments (default: here).
    """
    folder = output.parent
    report = on_progress or (lambda _fraction: None)
    # In the output's own container: the encoder's priming samples stay accounted for.
    audio = partial_path(folder / f"audio.{plan.output_format.value}")
    sound = asyncio.create_task(run_ffmpeg(_audio_arguments(plan, audio)), name="sound track")
    try:
        jobs = await asyncio.to_thread(segment_jobs, plan, scenes_per_segment)
        encoded = [0] * len(jobs)  # frames each segment has encoded so far

        def segment_frames(number: int, frames: int) -> None:
            encoded[number] = frames
            report((1 - _MUX_SHARE) * sum(encoded) / max(plan.total_frames, 1))

        segments = await (farm or EncodedHere()).encode(jobs, folder, segment_frames)
        await sound
        segment_list = partial_path(folder / "segments.ffconcat")
        await _write(segment_list, _concat_list(segments))
        await run_ffmpeg(_mux_arguments(plan, segment_list, audio, output))
        report(1.0)
    finally:
        if not sound.done():  # a segment failed or the render was cancelled
            sound.cancel()
        await asyncio.gather(sound, return_exceptions=True)  # its ffmpeg reaped
        await asyncio.to_thread(_remove_intermediates, folder)


async def _write(path: Path, text: str) -> None:
    await anyio.Path(path).write_text(text, encoding="utf-8")


def _remove_intermediates(folder: Path) -> None:
    shutil.rmtree(folder / FONTS_FOLDER, ignore_errors=True)
    for pattern in (
        f".segment*{PARTIAL_SUFFIX}",
        f".captions-*{PARTIAL_SUFFIX}",
        f".audio*{PARTIAL_SUFFIX}",
    ):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)
