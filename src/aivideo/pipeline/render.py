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
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from aivideo.core.atomic_files import PARTIAL_SUFFIX, partial_path
from aivideo.core.options import OutputFormat, SubtitleMode
from aivideo.pipeline.captions import Caption
from aivideo.pipeline.ffmpeg import ProgressCallback, run_ffmpeg
from aivideo.pipeline.fonts import fontconfig_file
from aivideo.pipeline.frame import FPS, Frame
from aivideo.pipeline.overlay_text import Headline, ass_script
from aivideo.pipeline.scene_graph import Shot, background_graph

SCENES_PER_SEGMENT = 2
# Two segments are encoded at once up to 720p: one x264 kept only 1.6 of 2 cores busy,
# and a 720p minute's render took 12.1 s instead of 14.5 s (bench/render_bench.py).
# Larger frames one at a time: two 1080p encoders took all processes to 1.3 GiB.
SEGMENTS_AT_ONCE = 2
SEGMENTS_AT_ONCE_PIXELS = 1280 * 720
_FONTS_FOLDER = ".caption-fonts"  # while rendering: how libass finds the bundled fonts
_MUX_SHARE = 0.02  # of the stage's progress: the last pass only copies what was encoded

_VIDEO_ENCODER = {
    OutputFormat.MP4: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"],
    OutputFormat.WEBM: [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-crf", "33", "-b:v", "0",
    ],
}  # fmt: skip
_AUDIO_ENCODER = {
    OutputFormat.MP4: ["-c:a", "aac", "-b:a", "128k"],
    OutputFormat.WEBM: ["-c:a", "libopus", "-b:a", "96k"],
}
_CONTAINER = {
    OutputFormat.MP4: ["-movflags", "+faststart", "-f", "mp4"],
    OutputFormat.WEBM: ["-f", "webm"],
}
_SOFT_SUBTITLE_CODEC = {OutputFormat.MP4: "mov_text", OutputFormat.WEBM: "webvtt"}


@dataclass(frozen=True)
class TimedPicture:
    """A picture shown from ``start`` to ``end``: the title card."""

    path: Path
    start: float
    end: float


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


def filter_path(path: Path) -> str:
    """``path`` as a filter option's value inside a filter graph.

    ffmpeg reads it twice: as an option value (where ``\\ ' :`` are special),
    then as part of the graph (where ``\\ ' [ ] , ;`` are), so each level escapes.
    """
    option = re.sub(r"([\\':])", r"\\\1", str(path))
    return re.sub(r"([\\'\[\],;])", r"\\\1", option)


def _segment_arguments(
    plan: RenderPlan,
    scenes: range,
    overlay_script: Path | None,
    output: Path,
) -> list[str]:
    starts = plan.starts()
    begin = starts[scenes.start]
    end = starts[scenes[-1]] + plan.shots[scenes[-1]].duration
    args, graph, current = background_graph(plan.shots, scenes, plan.frame)
    next_input = sum(arg == "-i" for arg in args)
    title = plan.title
    if title is not None and title.start < end and title.end > begin:
        args += ["-i", str(title.path)]
        window = f"between(t,{title.start - begin:.3f},{title.end - begin:.3f})"
        graph.append(f"{current}[{next_input}:v]overlay=x=0:y=0:enable='{window}'[titled]")
        current, next_input = "[titled]", next_input + 1
    if overlay_script is not None:
        # libass finds the fonts through fontconfig (fonts.fontconfig_file), not a fontsdir.
        graph.append(f"{current}subtitles=filename={filter_path(overlay_script)}[captioned]")
        current = "[captioned]"
    graph.append(f"{current}format=yuv420p[video]")
    return [
        *args,
        "-filter_complex", ";".join(graph),
        "-map", "[video]", "-an", "-r", str(FPS), "-t", f"{end - begin:.3f}",
        *_VIDEO_ENCODER[plan.output_format], "-pix_fmt", "yuv420p",
        "-f", "matroska", "-y", str(output),
    ]  # fmt: skip


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


def _segments(count: int) -> list[range]:
    return [
        range(i, min(i + SCENES_PER_SEGMENT, count)) for i in range(0, count, SCENES_PER_SEGMENT)
    ]


def _concat_list(paths: Sequence[Path]) -> str:
    return "ffconcat version 1.0\n" + "".join(f"file '{path.name}'\n" for path in paths)


async def render_video(
    plan: RenderPlan, output: Path, on_progress: ProgressCallback | None = None
) -> None:
    """Encode the plan into ``output`` (the caller renames it into place when done).

    The sound track is encoded while the picture's segments are: x264 leaves
    part of the cores idle, and the last pass then only copies both. Segment
    files and playlists are written beside ``output`` under hidden ``.part``
    names, and removed at the end.
    """
    folder = output.parent
    report = on_progress or (lambda _fraction: None)
    # In the output's own container: the encoder's priming samples stay accounted for.
    audio = partial_path(folder / f"audio.{plan.output_format.value}")
    sound = asyncio.create_task(run_ffmpeg(_audio_arguments(plan, audio)), name="sound track")
    try:
        segments = await _render_segments(plan, folder, report)
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


async def _render_segments(plan: RenderPlan, folder: Path, report: ProgressCallback) -> list[Path]:
    """Encode the picture, a few scenes a segment, two segments at a time up to 720p.

    Returns the segment files, in order.
    """
    fonts = await asyncio.to_thread(fontconfig_file, folder / _FONTS_FOLDER)
    starts = plan.starts()
    parts = _segments(len(plan.shots))
    encoded = [0] * len(parts)  # frames each segment has encoded so far
    small = plan.frame.width * plan.frame.height <= SEGMENTS_AT_ONCE_PIXELS
    at_once = asyncio.Semaphore(SEGMENTS_AT_ONCE if small else 1)

    async def encode(k: int, scenes: range) -> Path:
        begin, end = starts[scenes.start], starts[scenes[-1]] + plan.shots[scenes[-1]].duration
        frames = round((end - begin) * FPS)

        def segment_progress(fraction: float) -> None:
            encoded[k] = round(frames * fraction)
            report((1 - _MUX_SHARE) * sum(encoded) / plan.total_frames)

        async with at_once:
            overlay_script = None
            if plan.captions or plan.headlines:
                overlay_script = partial_path(folder / f"captions-{k}.ass")
                script = await asyncio.to_thread(  # it reads the fonts' character sets
                    ass_script, plan.frame, plan.captions, plan.headlines, begin, end
                )
                await _write(overlay_script, script)
            segment = partial_path(folder / f"segment-{k}.mkv")
            await run_ffmpeg(
                _segment_arguments(plan, scenes, overlay_script, segment),
                total_frames=frames,
                on_progress=segment_progress,
                environment={"FONTCONFIG_FILE": str(fonts)},
            )
        return segment

    encodes = [asyncio.create_task(encode(k, scenes)) for k, scenes in enumerate(parts)]
    try:
        return list(await asyncio.gather(*encodes))
    finally:
        for task in encodes:  # one failed (or the render was cancelled): stop the others
            task.cancel()
        await asyncio.gather(*encodes, return_exceptions=True)


async def _write(path: Path, text: str) -> None:
    await anyio.Path(path).write_text(text, encoding="utf-8")


def _remove_intermediates(folder: Path) -> None:
    shutil.rmtree(folder / _FONTS_FOLDER, ignore_errors=True)
    for pattern in (
        f".segment*{PARTIAL_SUFFIX}",
        f".captions-*{PARTIAL_SUFFIX}",
        f".audio*{PARTIAL_SUFFIX}",
    ):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)
