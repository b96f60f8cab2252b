"""The names of a video's files: where each stage writes and the API reads.

One video is one folder in storage, named by its id. The outputs a user
downloads keep these names inside it.
"""

from __future__ import annotations

from pathlib import Path

NARRATION = "narration.wav"
SUBTITLES_SRT = "subtitles.srt"
SUBTITLES_VTT = "subtitles.vtt"
THUMBNAIL = "thumbnail.jpg"
THUMBNAIL_FRAME = "thumbnail-frame.png"
WORDS = "words.json"  # every written word with when it is spoken, in video time
STORYBOARD = "scenes.json"  # per scene: when, what is said, what is shown
STAGES_FOLDER = "stages"


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
