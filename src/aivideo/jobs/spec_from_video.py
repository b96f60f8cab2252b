"""Turning a stored video row into what the pipeline needs to make it."""

from __future__ import annotations

from typing import Any

from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)
from aivideo.core.spec import SceneSpec, VideoSpec
from aivideo.db.models import Video


def spec_for(video: Video) -> VideoSpec:
    options = video.options
    return VideoSpec(
        text=video.text,
        prompt=options.get("prompt"),
        target_seconds=int(options.get("target_seconds", 60)),
        media_urls=tuple(options.get("media_urls", ())),
        title=video.title,
        voice=options.get("voice"),
        language=options.get("language"),
        rate=float(options.get("rate", 1.0)),
        quality=Quality(options["quality"]),
        format=OutputFormat(options["format"]),
        aspect=Aspect(options["aspect"]),
        subtitles=SubtitleMode(options["subtitles"]),
        # Videos stored before these options existed get their defaults.
        caption_style=CaptionStyle(options.get("caption_style", CaptionStyle.KARAOKE)),
        visuals=VisualChoice(options.get("visuals", VisualChoice.AUTO)),
        scenes=tuple(_scene(scene) for scene in options.get("scenes", ())),
    )


def _scene(stored: dict[str, Any]) -> SceneSpec:
    """A storyboard scene as ``VideoCreate.render_options`` stored it (defaults left out)."""
    return SceneSpec(
        text=stored["text"],
        media_url=stored.get("media_url"),
        pictograms=tuple(stored.get("pictograms", ())),
        headline=stored.get("headline"),
        min_seconds=float(stored.get("min_seconds") or 0.0),
        voice=stored.get("voice"),
    )
