"""The render stage: one ffmpeg run turns pictures, captions and audio into the video.

All per-frame work happens inside ffmpeg: each still background is decoded
once, held in memory by the ``loop`` filter and panned by ``crop``; scenes are
joined with short cross-fades; captions are pre-drawn images overlaid only
while they are spoken. Python never touches a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aivideo.pipeline.ffmpeg import ProgressCallback, run_ffmpeg
from aivideo.pipeline.frame import FPS, Frame
from aivideo.videos.options import OutputFormat, SubtitleMode

CROSSFADE = 0.5  # seconds
PAN_SPEED = 0.012  # of the frame height per second: slow enough to feel calm

_ENCODERS = {
    OutputFormat.MP4: [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-movflags", "+faststart", "-f", "mp4",
    ],
    OutputFormat.WEBM: [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-crf", "33", "-b:v", "0", "-pix_fmt", "yuv420p",
        "-c:a", "libopus", "-b:a", "96k", "-ar", "48000", "-f", "webm",
    ],
}  # fmt: skip
_SOFT_SUBTITLE_CODEC = {OutputFormat.MP4: "mov_text", OutputFormat.WEBM: "webvtt"}


@dataclass(frozen=True)
class SceneShot:
    """What one scene shows: a still (panned) or a clip (trimmed or looped)."""

    path: Path
    duration: float
    is_clip: bool = False


@dataclass(frozen=True)
class Overlay:
    """A full-frame picture (the title card) shown from ``start`` to ``end``."""

    path: Path
    start: float
    end: float


@dataclass
class RenderPlan:
    frame: Frame
    shots: list[SceneShot]
    narration: Path
    duration: float
    output_format: OutputFormat
    overlays: list[Overlay] = field(default_factory=list)
    captions: Path | None = None  # ffconcat playlist of equally sized caption bands
    subtitles: SubtitleMode = SubtitleMode.NONE
    subtitle_file: Path | None = None  # SRT for mp4, WebVTT for webm
    music: Path | None = None
    music_volume: float = 0.15

    @property
    def total_frames(self) -> int:
        return round(self.duration * FPS)


def _pan(index: int, frames: int) -> tuple[str, str]:
    """Crop offsets that move the window slowly across the still, a new way each scene."""
    progress = f"min(n/{max(1, frames - 1)},1)"
    along, back, middle = f"(iw-ow)*{progress}", f"(iw-ow)*(1-{progress})", "(iw-ow)/2"
    down, centre = f"(ih-oh)*{progress}", "(ih-oh)/2"
    return [(along, centre), (back, down), (middle, down), (back, centre)][index % 4]


def _shot_filter(index: int, input_index: int, shot: SceneShot, frame: Frame, length: float) -> str:
    frames = round(length * FPS)
    size = f"{frame.width}:{frame.height}"
    if shot.is_clip:
        return (
            f"[{input_index}:v]trim=duration={length:.3f},setpts=PTS-STARTPTS,fps={FPS},"
            f"scale={size}:force_original_aspect_ratio=increase,crop={size},setsar=1,"
            f"format=yuv420p[s{index}]"
        )
    x, y = _pan(index, frames)
    return (
        f"[{input_index}:v]format=yuv420p,loop=loop={frames - 1}:size=1:start=0,"
        f"setpts=N/{FPS}/TB,crop={size}:x='{x}':y='{y}':exact=1,setsar=1[s{index}]"
    )


def _input_args(plan: RenderPlan) -> list[str]:
    args: list[str] = []
    for shot in plan.shots:
        if shot.is_clip:
            args += ["-stream_loop", "-1", "-i", str(shot.path)]
        else:
            args += ["-framerate", str(FPS), "-i", str(shot.path)]
    for overlay in plan.overlays:
        args += ["-i", str(overlay.path)]
    if plan.captions:
        args += ["-f", "concat", "-safe", "0", "-i", str(plan.captions)]
    args += ["-i", str(plan.narration)]
    if plan.music:
        args += ["-stream_loop", "-1", "-i", str(plan.music)]
    if plan.subtitles is SubtitleMode.SOFT and plan.subtitle_file:
        args += ["-i", str(plan.subtitle_file)]
    return args


def _video_graph(plan: RenderPlan) -> list[str]:
    parts = []
    last = len(plan.shots) - 1
    for i, shot in enumerate(plan.shots):
        # Every shot but the last runs on under the next one's cross-fade.
        length = shot.duration + (CROSSFADE if i < last else 0)
        parts.append(_shot_filter(i, i, shot, plan.frame, length))
    current, offset = "[s0]", 0.0
    for i in range(1, len(plan.shots)):
        offset += plan.shots[i - 1].duration
        parts.append(
            f"{current}[s{i}]xfade=transition=fade:duration={CROSSFADE}:offset={offset:.3f}[x{i}]"
        )
        current = f"[x{i}]"
    first_overlay = len(plan.shots)
    for j, overlay in enumerate(plan.overlays):
        enable = f"between(t,{overlay.start:.3f},{overlay.end:.3f})"
        parts.append(f"{current}[{first_overlay + j}:v]overlay=x=0:y=0:enable='{enable}'[o{j}]")
        current = f"[o{j}]"
    if plan.captions:
        captions = first_overlay + len(plan.overlays)
        # Each caption picture stays up until the next one (a blank band between cues).
        parts.append(
            f"{current}[{captions}:v]overlay=x=(W-w)/2:y={plan.frame.caption_band_top}"
            f":eof_action=repeat[captioned]"
        )
        current = "[captioned]"
    parts.append(f"{current}format=yuv420p[video]")
    return parts


def _narration_input(plan: RenderPlan) -> int:
    return len(plan.shots) + len(plan.overlays) + (1 if plan.captions else 0)


def _audio_graph(plan: RenderPlan) -> list[str]:
    narration = _narration_input(plan)
    if not plan.music:
        return [f"[{narration}:a]aresample=48000[audio]"]
    fade_start = max(0.0, plan.duration - 3)
    return [
        f"[{narration}:a]aresample=48000,asplit[voice][key]",
        f"[{narration + 1}:a]aresample=48000,volume={plan.music_volume},"
        f"afade=t=out:st={fade_start:.3f}:d=3[music]",
        # The music ducks while the voice speaks, and comes back up in the pauses.
        "[music][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]",
        "[voice][ducked]amix=inputs=2:duration=first:normalize=0[audio]",
    ]


def ffmpeg_arguments(plan: RenderPlan, output: Path) -> list[str]:
    graph = ";".join(_video_graph(plan) + _audio_graph(plan))
    args = [*_input_args(plan), "-filter_complex", graph, "-map", "[video]", "-map", "[audio]"]
    if plan.subtitles is SubtitleMode.SOFT and plan.subtitle_file:
        subtitle_input = _narration_input(plan) + 1 + (1 if plan.music else 0)
        codec = _SOFT_SUBTITLE_CODEC[plan.output_format]
        args += ["-map", f"{subtitle_input}:s", "-c:s", codec, "-metadata:s:s:0", "language=eng"]
    args += ["-r", str(FPS), "-t", f"{plan.duration:.3f}", *_ENCODERS[plan.output_format]]
    return [*args, "-y", str(output)]


async def render_video(
    plan: RenderPlan, output: Path, on_progress: ProgressCallback | None = None
) -> None:
    """Encode the plan into ``output`` (the caller renames it into place when done)."""
    await run_ffmpeg(
        ffmpeg_arguments(plan, output), total_frames=plan.total_frames, on_progress=on_progress
    )
