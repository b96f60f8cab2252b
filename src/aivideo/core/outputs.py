"""The names of a video's files: where each stage writes and the API reads.

One video is one folder in storage, named by its id. The outputs a user
downloads keep these names inside it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

NARRATION = "narration.wav"
SUBTITLES_SRT = "subtitles.srt"
SUBTITLES_VTT = "subtitles.vtt"
THUMBNAIL = "thumbnail.jpg"
THUMBNAIL_FRAME = "thumbnail-frame.png"
WORDS = "words.json"  # every written word with when it is spoken, in video time
STORYBOARD = "scenes.json"  # per scene: when, what is said, what is shown
STAGES_FOLDER = "stages"
# In a remote store, a video's finished stages: their records and the files a retry needs.
WORK_FOLDER = "work"


def video_file(format_name: str) -> str:
    """The video itself: ``video.mp4`` or ``video.webm``."""
    return f"video.{format_name}"


def subtitle_track(format_name: str) -> str:
    """The subtitle file a container carries as its soft track (MP4: SRT, WebM: WebVTT)."""
    return SUBTITLES_SRT if format_name == "mp4" else SUBTITLES_VTT


def scene_preview(index: int) -> str:
    """A small picture of what scene ``index`` shows, for the storyboard."""
    return f"scene-{index}.jpg"


def video_folder(storage_dir: Path, video_id: str) -> Path:
    """The folder of the video ``video_id``; the id is the stored one, never a raw path segment."""
    return storage_dir / video_id


def object_key(video_id: str, name: str) -> str:
    """Where the file ``name`` of a video is in the store (its folder there is its id)."""
    return f"{video_id}/{name}"


# What each kind of file is served as, by its extension.
_MEDIA_TYPES = {
    "mp4": "video/mp4",
    "webm": "video/webm",
    "jpg": "image/jpeg",
    "vtt": "text/vtt; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "json": "application/json",
}
# Saved rather than shown by a browser: subtitles in SubRip, which no browser plays.
_ATTACHMENTS = frozenset({SUBTITLES_SRT})


def media_type(name: str) -> str:
    return _MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")


def is_attachment(name: str) -> bool:
    return name in _ATTACHMENTS


def download_name(title: str | None, video_id: str, name: str) -> str:
    """The name a downloaded file is saved under: the video's title, else its id."""
    stem = re.sub(r"[^\w\- ]+", "", title or "").strip() or video_id
    return f"{stem[:80]}.{name.rsplit('.', 1)[-1]}"


def attachment_header(filename: str) -> str:
    """``Content-Disposition`` for a download saved as ``filename`` (RFC 6266, as Starlette)."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'
