"""What to make (``VideoSpec``) and what was made (``GeneratedVideo``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)


@dataclass(frozen=True)
class MediaFile:
    path: Path
    is_clip: bool
    # The demuxer that read a clip (ffmpeg's ``-f``, e.g. "mov"): the render reads
    # it as nothing else. None for pictures, which ffmpeg never reads as they are.
    container_format: str | None = None


@dataclass(frozen=True)
class SceneSpec:
    """One scene of a storyboard the user wrote: said, shown and held as given."""

    text: str  # its narration
    media_url: str | None = None  # the picture or clip it shows
    pictograms: tuple[str, ...] = ()  # emoji to show, when it has no media_url
    headline: str | None = None  # shown big on the scene
    min_seconds: float = 0.0  # the scene lasts at least this long (silence after its words)
    voice: str | None = None  # None: the video's voice


@dataclass(frozen=True)
class VideoSpec:
    text: str  # the narration; empty when a script writer makes it from ``prompt``
    prompt: str | None = None
    target_seconds: int = 60  # how long a written script should take to say
    title: str | None = None
    voice: str | None = None
    language: str | None = None  # BCP-47; None: the voice's
    rate: float = 1.0
    quality: Quality = Quality.MEDIUM
    format: OutputFormat = OutputFormat.MP4
    aspect: Aspect = Aspect.LANDSCAPE
    subtitles: SubtitleMode = SubtitleMode.BURNED
    caption_style: CaptionStyle = CaptionStyle.KARAOKE
    visuals: VisualChoice = VisualChoice.AUTO
    media: tuple[MediaFile, ...] = ()  # the user's own files (the command line)
    media_urls: tuple[str, ...] = ()  # pictures and clips to download (the API)
    music: Path | None = None
    music_volume: float = 0.15
    # A storyboard: one scene each, in order (``text`` is their narrations joined).
    scenes: tuple[SceneSpec, ...] = ()

    def scene_voice(self, index: int) -> str | None:
        """The voice scene ``index`` of the script speaks with (None: the default one)."""
        own = self.scenes[index].voice if index < len(self.scenes) else None
        return own or self.voice

    @property
    def voices(self) -> list[str | None]:
        """Every voice the video speaks with, the video's own first."""
        own = (scene.voice for scene in self.scenes if scene.voice)
        return list(dict.fromkeys([self.voice, *own]))


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
    narration: str  # what was said, scene by scene (a written script's, for a prompt)
    title: str | None
    words: Path  # words.json: every word with its time
    storyboard: Path  # scenes.json
    scene_previews: tuple[Path, ...] = ()

    @property
    def downloads(self) -> list[Path]:
        """Every file a user may fetch: what stays once the video is made."""
        return [
            self.video, self.thumbnail, self.srt, self.vtt, self.words, self.storyboard,
            *self.scene_previews,
        ]  # fmt: skip
