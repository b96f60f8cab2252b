"""The visuals stage's plan: which picture each scene shows, and what to paint.

Planning is pure; the painting itself (CPU work) is run by the stage, each
picture in the process pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aivideo.core.options import SubtitleMode
from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline import painting
from aivideo.pipeline.frame import Frame, even
from aivideo.pipeline.records import Placed, PlannedShot
from aivideo.pipeline.subtitles import Cue

TITLE_SECONDS = 2.5
PAN_MARGIN = 1.12  # still backgrounds are this much larger than the frame: room to pan


@dataclass(frozen=True)
class PaintJob:
    """A picture to paint into the workspace file ``name``: ``painter(*args, path)``."""

    name: str
    painter: Callable[..., None]
    args: tuple[Any, ...]


@dataclass(frozen=True)
class VisualPlan:
    shots: list[PlannedShot]  # per scene
    title: Placed | None  # the title card, with when it shows
    captions: list[Placed]  # each caption band, with when it shows
    jobs: list[PaintJob]


BLANK_CAPTION = "caption-blank.png"


def plan_visuals(
    spec: VideoSpec,
    frame: Frame,
    title: str | None,
    cues: list[Cue],
    durations: list[float],
    scene_media: list[MediaFile | None],
) -> VisualPlan:
    """``scene_media``: per scene, the picture or clip it shows; None: a generated background."""
    wide, tall = even(frame.width * PAN_MARGIN), even(frame.height * PAN_MARGIN)
    # The same text (or prompt) always gets the same colours.
    seed = sum(map(ord, (spec.text or spec.prompt or "")[:200]))
    shots, jobs = [], []
    for index, (duration, item) in enumerate(zip(durations, scene_media, strict=True)):
        name = f"shot-{index}.jpg"
        if item is None:
            jobs.append(PaintJob(name, painting.paint_background, (wide, tall, seed + index)))
        else:
            if item.is_clip:
                shots.append(PlannedShot(str(item.path), True, duration, item.container_format))
                continue
            jobs.append(PaintJob(name, painting.fit_picture, (item.path, wide, tall)))
        shots.append(PlannedShot(name, is_clip=False, duration=duration))

    title_card = None
    if title:
        jobs.append(PaintJob("title.png", painting.paint_title, (title, frame.width, frame.height)))
        title_card = Placed("title.png", 0.0, TITLE_SECONDS)
    captions = []
    if spec.subtitles is SubtitleMode.BURNED:
        band = (frame.caption_font_size, frame.caption_band_width, frame.caption_band_height)
        jobs.append(PaintJob(BLANK_CAPTION, painting.paint_caption, ([], *band)))
        for index, cue in enumerate(cues):
            name = f"caption-{index}.png"
            jobs.append(PaintJob(name, painting.paint_caption, (cue.lines, *band)))
            captions.append(Placed(name, cue.start, cue.end))
    return VisualPlan(shots, title_card, captions, jobs)
