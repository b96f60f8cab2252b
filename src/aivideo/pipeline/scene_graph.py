"""The moving backgrounds of a run of scenes, as ffmpeg inputs and filters.

Each scene is cut into takes: its body, and the short head and tail that
cross-fade with its neighbours (the head fades in over the tail, through
``overlay``). The pieces follow one another through the ``concat`` filter,
which only pulls from the piece it is playing, and each cross-fade sees just
the half second it blends. (One ``xfade`` chain over whole scenes made ffmpeg
queue frames of the scenes to come: hundreds of MB at 1080p.)

A still is decoded once and shared by its takes (``split`` of a single frame);
each take holds it in the ``loop`` filter and pans it with ``crop``, the pan
running on across takes so the motion never jumps. A clip gets an input per
take, trimmed or looped to it.

A clip is the user's file (or a stock library's): ffmpeg reads it from its
absolute ``file:`` path, with no other protocol, as the container format it
was checked to be (``-f``), so a playlist or concat list dressed up as a clip
cannot make it read other files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aivideo.pipeline.frame import FPS, Frame

CROSSFADE = 0.5  # seconds, shortened for a scene too brief to share that much


@dataclass(frozen=True)
class Shot:
    """What one scene shows: a still (panned) or a clip (trimmed or looped)."""

    path: str  # absolute
    duration: float
    is_clip: bool = False
    container_format: str | None = None  # a clip's demuxer, as identified (ffmpeg's -f)


@dataclass(frozen=True)
class _Take:
    scene: int
    start: float  # seconds into the scene's own timeline
    length: float


def fade_into(shots: Sequence[Shot], scene: int) -> float:
    """The length of the cross-fade that brings ``scene`` in (0 for the first)."""
    if scene == 0:
        return 0.0
    return min(CROSSFADE, shots[scene - 1].duration / 2, shots[scene].duration / 2)


def _pieces(shots: Sequence[Shot], scenes: range) -> list[list[_Take]]:
    """Bodies, and cross-fades (two takes each), in playing order."""
    pieces = []
    for scene in scenes:
        fade = fade_into(shots, scene)
        if fade:
            before = scene - 1
            pieces.append([_Take(before, shots[before].duration, fade), _Take(scene, 0.0, fade)])
        pieces.append([_Take(scene, fade, shots[scene].duration - fade)])
    return pieces


def clip_input(shot: Shot) -> list[str]:
    """Only this file, read as what it is (a clip planned before formats were recorded: probed)."""
    forced = ["-f", shot.container_format] if shot.container_format else []
    return ["-protocol_whitelist", "file", *forced]


def _pan(scene: int, first_frame: int, scene_frames: int) -> tuple[str, str]:
    """Crop offsets that move the window slowly across the still, a new way each scene."""
    progress = f"min((n+{first_frame})/{max(1, scene_frames - 1)},1)"
    along, back, middle = f"(iw-ow)*{progress}", f"(iw-ow)*(1-{progress})", "(iw-ow)/2"
    down, centre = f"(ih-oh)*{progress}", "(ih-oh)/2"
    return [(along, centre), (back, down), (middle, down), (back, centre)][scene % 4]


def background_graph(
    shots: Sequence[Shot], scenes: range, frame: Frame, first_input: int = 0
) -> tuple[list[str], list[str], str]:
    """Inputs, filters and the output label of the backgrounds of ``scenes``."""
    pieces = _pieces(shots, scenes)
    takes = [take for piece in pieces for take in piece]
    size = f"{frame.width}:{frame.height}"
    inputs: list[str] = []
    filters: list[str] = []
    labels: dict[_Take, str] = {}
    next_input = first_input

    def scene_frames(scene: int) -> int:
        tail = fade_into(shots, scene + 1) if scene + 1 < len(shots) else 0.0
        return round((shots[scene].duration + tail) * FPS)

    for scene in sorted({take.scene for take in takes}):
        shot = shots[scene]
        own = [take for take in takes if take.scene == scene]
        if shot.is_clip:
            for take in own:
                inputs += [*clip_input(shot), "-stream_loop", "-1", "-i", f"file:{shot.path}"]
                labels[take] = f"c{next_input}"
                filters.append(
                    f"[{next_input}:v]trim=start={take.start:.3f}:duration={take.length:.3f},"
                    f"setpts=PTS-STARTPTS,fps={FPS},scale={size}:force_original_aspect_ratio="
                    f"increase,crop={size},setsar=1,format=yuv420p[{labels[take]}]"
                )
                next_input += 1
            continue
        inputs += ["-framerate", str(FPS), "-i", shot.path]
        copies = [f"still{scene}_{j}" for j in range(len(own))]
        filters.append(
            f"[{next_input}:v]format=yuv420p,split={len(own)}" + "".join(f"[{c}]" for c in copies)
        )
        next_input += 1
        for copy, take in zip(copies, own, strict=True):
            labels[take] = f"{copy}t"
            first = round(take.start * FPS)
            x, y = _pan(scene, first, scene_frames(scene))
            filters.append(
                f"[{copy}]loop=loop={round(take.length * FPS) - 1}:size=1:start=0,"
                f"setpts=N/{FPS}/TB,crop={size}:x='{x}':y='{y}':exact=1,setsar=1[{labels[take]}]"
            )

    played = []
    for k, piece in enumerate(pieces):
        if len(piece) == 1:
            played.append(f"[{labels[piece[0]]}]")
            continue
        # The later take fades in over the earlier one. xfade drew the same mix, but a
        # segment that opened with one spent about 1.7 ms of CPU on every frame of it.
        out, inn = piece
        filters.append(
            f"[{labels[inn]}]format=yuva420p,fade=t=in:d={inn.length:.3f}:alpha=1[in{k}]"
        )
        filters.append(f"[{labels[out]}][in{k}]overlay=format=yuv420:eof_action=pass[fade{k}]")
        played.append(f"[fade{k}]")
    filters.append(f"{''.join(played)}concat=n={len(played)}:v=1:a=0[backgrounds]")
    return inputs, filters, "[backgrounds]"
