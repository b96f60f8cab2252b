"""Turning a stored video row into what the pipeline needs to make it."""

from __future__ import annotations

from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)
from aivideo.core.spec import VideoSpec
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
        rate=float(options.get("rate", 1.0)),
        quality=Quality(options["quality"]),
        format=OutputFormat(options["format"]),
        aspect=Aspect(options["aspect"]),
        subtitles=SubtitleMode(options["subtitles"]),
        # Videos stored before these options existed get their defaults.
        caption_style=CaptionStyle(options.get("caption_style", CaptionStyle.KARAOKE)),
        visuals=VisualChoice(options.get("visuals", VisualChoice.AUTO)),
    )
