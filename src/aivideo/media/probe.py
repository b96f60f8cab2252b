"""The user's own pictures, clips and music: what each file really is.

Files are checked by content, not by name: Pillow must open an image, PyAV must
find a video or audio stream in a container format of a plain media file. A
playlist (HLS ``.m3u8``), a concat list or any other format that names other
files is refused: handed to ffmpeg, it would make it read files (or URLs) the
user chose. What a header claims is bounded too (``limits``), before anything
is decoded. These are sync libraries: call from a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

from aivideo.core.errors import InvalidInput
from aivideo.core.spec import MediaFile
from aivideo.media.limits import (
    DEFAULT_MAX_PIXELS,
    MAX_CLIP_HEIGHT,
    MAX_CLIP_WIDTH,
    MediaTooLarge,
    check_clip_header,
    check_picture_size,
)

# Demuxers of files that hold their own streams (ffmpeg's names; "mov" reads MP4,
# "matroska" WebM). The render forces the one found (``-f``), so ffmpeg reads
# the file as what it was checked to be.
CLIP_FORMATS = ("mov", "matroska", "avi", "mpegts", "mpeg", "flv", "ogg", "asf")
AUDIO_FORMATS = ("mp3", "wav", "flac", "ogg", "mov", "aac", "matroska", "aiff", "asf", "w64")


def _open_container(path: Path, formats: tuple[str, ...]) -> av.container.InputContainer:
    """PyAV on ``path`` and nothing else: no other file, no URL, no decoding of huge frames."""
    return av.open(
        f"file:{path.absolute()}",  # a name like "concat:a|b" is not a protocol
        options={
            "protocol_whitelist": "file",
            "format_whitelist": ",".join(formats),  # refused before any header is read
            # Reading stream info may decode a frame or two: never one beyond 8K.
            "max_pixels": str(MAX_CLIP_WIDTH * MAX_CLIP_HEIGHT),
        },
    )


def identify_media(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> MediaFile | None:
    """An image or a video clip, or None when the file is neither (or unreadable).

    Raises:
        MediaTooLarge: the header claims more pixels (or frames, or hours) than
            accepted; its ``reason`` says how much, after the file's name.
    """
    try:
        with Image.open(path) as image:
            check_picture_size(path.name, *image.size, max_pixels)
            image.verify()
        return MediaFile(path, is_clip=False)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        # Pillow's own check (an error, see ``limits``): a claim beyond any bound.
        raise MediaTooLarge(path.name, f"is too large a picture ({exc})") from exc
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    return _identify_clip(path)


def _identify_clip(path: Path) -> MediaFile | None:
    try:
        with _open_container(path, CLIP_FORMATS) as container:
            stream = container.streams.video[0] if container.streams.video else None
            if stream is None or stream.frames == 1 or not container.duration:
                return None
            fps: Fraction | None = stream.average_rate or stream.guessed_rate
            seconds = container.duration / av.time_base
            check_clip_header(path.name, stream.width, stream.height, fps, seconds)
            return MediaFile(path, is_clip=True, container_format=_demuxer(container))
    except (av.FFmpegError, OSError, ValueError):
        return None


def _demuxer(container: av.container.InputContainer) -> str:
    """The name ``-f`` takes: the first of PyAV's ("mov,mp4,m4a,3gp,3g2,mj2" is "mov")."""
    return str(container.format.name).split(",")[0]


def scan_media_folder(
    folder: Path, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[list[MediaFile], list[str]]:
    """Usable media in ``folder`` (sorted by name) and a warning for each file skipped."""
    if not folder.is_dir():
        raise InvalidInput(f"--media {folder}: not a folder")
    usable, warnings = [], []
    # Absolute: ffmpeg reads clips by their ``file:`` path, from another folder.
    for path in sorted(p.absolute() for p in folder.iterdir() if p.is_file()):
        try:
            media = identify_media(path, max_pixels)
        except MediaTooLarge as exc:
            warnings.append(f"skipped {path.name}: it {exc.reason}")
            continue
        if media is None:
            warnings.append(f"skipped {path.name}: not an image or video that can be read")
        else:
            usable.append(media)
    if not usable:
        raise InvalidInput(
            f"--media {folder}: no usable image or video in it "
            "(images: JPEG, PNG, WebP...; videos: MP4, WebM, MOV...)"
        )
    return usable, warnings


def check_audio(path: Path) -> float:
    """The duration of an audio file in seconds; InvalidInput if it is not audio."""
    try:
        with _open_container(path, AUDIO_FORMATS) as container:
            if container.streams.audio and container.duration:
                return container.duration / av.time_base
    except (av.FFmpegError, OSError, ValueError):
        pass
    raise InvalidInput(f"music {path}: not an audio file that can be read")


@dataclass(frozen=True)
class VideoProbe:
    duration: float  # seconds
    width: int
    height: int


def probe_video(path: Path) -> VideoProbe:
    """The duration and picture size of a video file (PyAV, sync: call from a thread)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = (container.duration or 0) / av.time_base
        return VideoProbe(duration, stream.width, stream.height)
