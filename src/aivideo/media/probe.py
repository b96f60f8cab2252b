"""The user's own pictures, clips and music: what each file really is.

Files are checked by content, not by name: Pillow must open an image, PyAV must
find a video or audio stream. These are sync libraries: call from a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, UnidentifiedImageError

from aivideo.core.errors import InvalidInput
from aivideo.core.spec import MediaFile


def identify_media(path: Path) -> MediaFile | None:
    """An image or a video clip, or None when the file is neither (or unreadable)."""
    try:
        with Image.open(path) as image:
            image.verify()
        return MediaFile(path, is_clip=False)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        pass
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0] if container.streams.video else None
            if stream is not None and stream.frames != 1 and container.duration:
                return MediaFile(path, is_clip=True)
    except (av.FFmpegError, OSError, ValueError):
        pass
    return None


def scan_media_folder(folder: Path) -> tuple[list[MediaFile], list[str]]:
    """Usable media in ``folder`` (sorted by name) and a warning for each file skipped."""
    if not folder.is_dir():
        raise InvalidInput(f"--media {folder}: not a folder")
    usable, warnings = [], []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        media = identify_media(path)
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
        with av.open(str(path)) as container:
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
