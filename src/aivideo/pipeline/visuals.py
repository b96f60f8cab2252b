"""The visuals stage's plan: which picture each scene shows, and what to paint.

Planning is pure; the painting itself (CPU work) is run by the stage, each
picture in the process pool. A scene shows, in this order: its media (the
user's files, ``media_urls`` or stock footage), else pictograms matching its
words, else a painted background. Scenes without media of their own also get
a headline, drawn over the picture by libass (a storyboard's own headline
shows over any picture).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline import painting, scene_art
from aivideo.pipeline.frame import Frame, even
from aivideo.pipeline.overlay_text import Headline
from aivideo.pipeline.pictograms.art import PICTOGRAM_CREDIT
from aivideo.pipeline.records import Placed, PlannedShot
from aivideo.pipeline.scene_words import SceneWords

TITLE_SECONDS = 2.5
PAN_MARGIN = 1.12  # still backgrounds are this much larger than the frame: room to pan
# What a scene without media of its own shows (the storyboard's "visual"); both get a headline.
PICTOGRAMS, PAINTED = "pictograms", "painted"
_HEADLINE_DELAY = 0.2  # seconds after the scene starts: it pops in once the picture is there


@dataclass(frozen=True)
class PaintJob:
    """A picture to paint into the workspace file ``name``: ``painter(*args, path)``."""

    name: str
    painter: Callable[..., None]
    args: tuple[Any, ...]


@dataclass(frozen=True)
class VisualPlan:
    shots: list[PlannedShot]  # per scene
    kinds: list[str]  # per scene, what it shows: its media source, PICTOGRAMS or PAINTED
    title: Placed | None  # the title card, with when it shows
    headlines: list[Headline]
    credits: list[str]  # what the art used asks to be credited with
    jobs: list[PaintJob]


def shows_headline(kind: str, words: SceneWords) -> bool:
    """A scene without media of its own shows its headline; one with media, only the
    headline its storyboard gave it."""
    return bool(words.headline) and (kind in (PICTOGRAMS, PAINTED) or words.headline_given)


def palette_seed(spec: VideoSpec) -> int:
    """The same text (or prompt) always gets the same colours."""
    return sum(map(ord, (spec.text or spec.prompt or "")[:200]))


def plan_visuals(
    spec: VideoSpec,
    frame: Frame,
    title: str | None,
    durations: list[float],
    scene_media: list[tuple[str, MediaFile] | None],
    scene_words: list[SceneWords],
) -> VisualPlan:
    """``scene_media``: per scene, its source's name and the picture or clip; or None."""
    wide, tall = even(frame.width * PAN_MARGIN), even(frame.height * PAN_MARGIN)
    seed = palette_seed(spec)
    shots, kinds, headlines, jobs = [], [], [], []
    credits: list[str] = []
    start = 0.0
    for index, (duration, chosen, words) in enumerate(
        zip(durations, scene_media, scene_words, strict=True)
    ):
        name = f"shot-{index}.jpg"
        if chosen is not None:
            kind, item = chosen
            kinds.append(kind)
            if item.is_clip:
                shots.append(PlannedShot(str(item.path), True, duration, item.container_format))
            else:
                jobs.append(PaintJob(name, painting.fit_picture, (item.path, wide, tall)))
                shots.append(PlannedShot(name, is_clip=False, duration=duration))
        else:
            if words.pictograms:
                kinds.append(PICTOGRAMS)
                shown = [(p.emoji, p.name) for p in words.pictograms]
                size = (wide, tall, frame.width, frame.height, seed, seed + index, shown)
                jobs.append(PaintJob(name, scene_art.paint_pictogram_scene, size))
                if PICTOGRAM_CREDIT not in credits:
                    credits.append(PICTOGRAM_CREDIT)
            else:
                kinds.append(PAINTED)
                jobs.append(
                    PaintJob(name, painting.paint_background, (wide, tall, seed, seed + index))
                )
            shots.append(PlannedShot(name, is_clip=False, duration=duration))
        # The first scene's headline waits for the title card to go.
        shown_from = TITLE_SECONDS if title and index == 0 else start + _HEADLINE_DELAY
        if shows_headline(kinds[-1], words) and shown_from < start + duration:
            assert words.headline is not None
            headlines.append(
                Headline(words.headline, shown_from, start + duration, big=words.headline_is_number)
            )
        start += duration

    title_card = None
    if title:
        jobs.append(PaintJob("title.png", painting.paint_title, (title, frame.width, frame.height)))
        title_card = Placed("title.png", 0.0, TITLE_SECONDS)
    return VisualPlan(shots, kinds, title_card, headlines, credits, jobs)
