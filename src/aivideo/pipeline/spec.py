"""What to make (``VideoSpec``) and what was made (``GeneratedVideo``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aivideo.pipeline.media import MediaFile
from aivideo.videos.options import Aspect, OutputFormat, Quality, SubtitleMode


@dataclass(frozen=True)
class VideoSpec:
    text: str
    title: str | None = None
    voice: str | None = None
    rate: float = 1.0
    quality: Quality = Quality.MEDIUM
    format: OutputFormat = OutputFormat.MP4
    aspect: Aspect = Aspect.LANDSCAPE
    subtitles: SubtitleMode = SubtitleMode.BURNED
    media: tuple[MediaFile, ...] = ()
    music: Path | None = None
    music_volume: float = 0.15


@dataclass(frozen=True)
class GeneratedVideo:
    video: Path
    thumbnail: Path
    srt: Path
    vtt: Path
    duration: float
    size_bytes: int
    width: int
    height: int
    format: str
