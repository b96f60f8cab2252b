"""Reading back what the pipeline wrote, with PyAV and Pillow, as a player would."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image


@dataclass
class Probe:
    video_codec: str
    audio_codec: str
    width: int
    height: int
    duration: float
    subtitle_codecs: list[str]


def probe_video(path: Path) -> Probe:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        return Probe(
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name,
            width=video.width,
            height=video.height,
            duration=(container.duration or 0) / av.time_base,
            subtitle_codecs=[s.codec_context.name for s in container.streams.subtitles],
        )


def image_format_and_size(path: Path) -> tuple[str | None, tuple[int, int]]:
    with Image.open(path) as image:
        return image.format, image.size


def audio_seconds(path: Path) -> float:
    """The length of a WAV file: the narration the video must match."""
    with wave.open(str(path)) as audio:
        return audio.getnframes() / audio.getframerate()
