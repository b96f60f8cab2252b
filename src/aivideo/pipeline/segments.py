"""One segment of a video's picture: a few scenes, encoded on their own.

A :class:`SegmentJob` holds everything its encoder needs (the scenes' pictures
by path, the title card, the captions' ASS script as text) and nothing of the
machine that planned it, so it can be written down as JSON and encoded by
another worker (``aivideo.jobs.segment_farm``). :func:`encode_segment` is the
encoder, wherever it runs.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio

from aivideo.core.atomic_files import partial_path
from aivideo.core.options import OutputFormat
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.fonts import fontconfig_file
from aivideo.pipeline.frame import FPS, Frame
from aivideo.pipeline.scene_graph import Shot, background_graph

FONTS_FOLDER = ".caption-fonts"  # while encoding: how libass finds the bundled fonts

VIDEO_ENCODER = {
    OutputFormat.MP4: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"],
    OutputFormat.WEBM: [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-crf", "33", "-b:v", "0",
    ],
}  # fmt: skip

# How many of a segment's frames are encoded so far (ffmpeg's count, as it goes).
FramesDone = Callable[[int], None]


@dataclass(frozen=True)
class TimedPicture:
    """A picture shown from ``start`` to ``end``: the title card."""

    path: Path
    start: float
    end: float


@dataclass(frozen=True)
class SegmentJob:
    """Scenes ``first``..``last`` of the video, from ``begin`` to ``end`` seconds into it.

    ``shots`` are every scene's (a cross-fade into ``first`` draws the end of
    the scene before it); ``captions`` is the segment's ASS script, timed from
    ``begin``, or None when nothing is drawn over the pictures.
    """

    number: int
    first: int
    last: int
    begin: float
    end: float
    frame: Frame
    output_format: OutputFormat
    shots: tuple[Shot, ...]
    title: TimedPicture | None = None
    captions: str | None = None

    @property
    def scenes(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def frames(self) -> int:
        return round((self.end - self.begin) * FPS)

    def files(self) -> list[str]:
        """The paths of the files it reads: its scenes' pictures (and the one before), the title."""
        wanted = {self.shots[scene].path for scene in self._scenes_drawn()}
        if self.title is not None and self.title.start < self.end and self.title.end > self.begin:
            wanted.add(str(self.title.path))
        return sorted(wanted)

    def with_files(self, moved: Callable[[str], str]) -> SegmentJob:
        """The same job reading each file from ``moved(path)`` (another machine's copy)."""
        drawn = set(self._scenes_drawn())
        shots = tuple(
            replace(shot, path=moved(shot.path)) if scene in drawn else shot
            for scene, shot in enumerate(self.shots)
        )
        title = self.title
        if title is not None and str(title.path) in self.files():
            title = replace(title, path=Path(moved(str(title.path))))
        return replace(self, shots=shots, title=title)

    def _scenes_drawn(self) -> range:
        return range(max(0, self.first - 1), self.last + 1)

    def to_json(self) -> dict[str, Any]:
        title = self.title
        return {
            "number": self.number, "first": self.first, "last": self.last,
            "begin": self.begin, "end": self.end,
            "frame": [self.frame.width, self.frame.height],
            "output_format": self.output_format.value,
            "shots": [[s.path, s.duration, s.is_clip, s.container_format] for s in self.shots],
            "title": None if title is None else [str(title.path), title.start, title.end],
            "captions": self.captions,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SegmentJob:
        title = data["title"]
        return cls(
            number=data["number"], first=data["first"], last=data["last"],
            begin=data["begin"], end=data["end"], frame=Frame(*data["frame"]),
            output_format=OutputFormat(data["output_format"]),
            shots=tuple(Shot(path, duration, is_clip, container)
                        for path, duration, is_clip, container in data["shots"]),
            title=None if title is None else TimedPicture(Path(title[0]), title[1], title[2]),
            captions=data["captions"],
        )  # fmt: skip


def segment_arguments(job: SegmentJob, overlay_script: Path | None, output: Path) -> list[str]:
    """ffmpeg's arguments: the backgrounds, the title over them, then the captions."""
    args, graph, current = background_graph(job.shots, job.scenes, job.frame)
    next_input = sum(arg == "-i" for arg in args)
    title = job.title
    if title is not None and title.start < job.end and title.end > job.begin:
        args += ["-i", str(title.path)]
        window = f"between(t,{title.start - job.begin:.3f},{title.end - job.begin:.3f})"
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
        "-map", "[video]", "-an", "-r", str(FPS), "-t", f"{job.end - job.begin:.3f}",
        *VIDEO_ENCODER[job.output_format], "-pix_fmt", "yuv420p",
        "-f", "matroska", "-y", str(output),
    ]  # fmt: skip


def filter_path(path: Path) -> str:
    """``path`` as a filter option's value inside a filter graph.

    ffmpeg reads it twice: as an option value (where ``\\ ' :`` are special),
    then as part of the graph (where ``\\ ' [ ] , ;`` are), so each level escapes.
    """
    option = re.sub(r"([\\':])", r"\\\1", str(path))
    return re.sub(r"([\\'\[\],;])", r"\\\1", option)


async def fonts_for_captions(folder: Path) -> Path:
    """The fontconfig file libass reads to find the bundled fonts, made in ``folder``."""
    return await asyncio.to_thread(fontconfig_file, folder / FONTS_FOLDER)


async def encode_segment(
    job: SegmentJob, folder: Path, fonts: Path, on_frames: FramesDone | None = None
) -> Path:
    """Encode the job into a hidden ``.part`` file in ``folder`` and return its path.

    The caller removes it when joined; ``fonts`` is :func:`fonts_for_captions`.

    Raises:
        RenderFailed: the encoder failed; the message says why.
    """
    overlay_script = None
    if job.captions is not None:
        overlay_script = partial_path(folder / f"captions-{job.number}.ass")
        await anyio.Path(overlay_script).write_text(job.captions, encoding="utf-8")
    segment = partial_path(folder / f"segment-{job.number}.mkv")
    frames = job.frames
    try:
        await run_ffmpeg(
            segment_arguments(job, overlay_script, segment),
            total_frames=frames,
            on_progress=None if on_frames is None else lambda f: on_frames(round(frames * f)),
            environment={"FONTCONFIG_FILE": str(fonts)},
        )
    finally:
        if overlay_script is not None:
            await anyio.Path(overlay_script).unlink(missing_ok=True)
    return segment
