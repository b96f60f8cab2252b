"""What the tools answer: small typed records, shown to the agent as structured results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from aivideo.client.calls import video_path
from aivideo.core import outputs
from aivideo.core.status import VideoStatus
from aivideo.storage import ObjectStore
from aivideo.videos.schemas import VideoPublic
from aivideo.videos.voice_schemas import VoiceList

__all__ = ["VideoFiles", "VideoList", "VideoState", "VoiceList", "file_format"]


def file_format(video: VideoPublic) -> str:
    """The format of the video's file: the one it was made in, else the one asked for."""
    if video.output and video.output.format:
        return video.output.format
    return video.format.value


class VideoFiles(BaseModel):
    """Where a finished video's files are: paths on this machine, or URLs of the API."""

    video: str
    subtitles_srt: str
    subtitles_vtt: str
    thumbnail: str

    @classmethod
    def in_store(cls, store: ObjectStore, video: VideoPublic) -> VideoFiles:
        """The files where ``store`` keeps them: paths on this machine, or ``s3://`` URLs."""

        def where(name: str) -> str:
            return store.location(outputs.object_key(video.id, name))

        return cls(
            video=where(outputs.video_file(file_format(video))),
            subtitles_srt=where(outputs.SUBTITLES_SRT),
            subtitles_vtt=where(outputs.SUBTITLES_VTT),
            thumbnail=where(outputs.THUMBNAIL),
        )

    @classmethod
    def at_api(cls, base_url: str, video_id: str) -> VideoFiles:
        """The files as URLs of the API at ``base_url``."""
        base = f"{base_url.rstrip('/')}{video_path(video_id)}"
        return cls(
            video=f"{base}/file",
            subtitles_srt=f"{base}/{outputs.SUBTITLES_SRT}",
            subtitles_vtt=f"{base}/{outputs.SUBTITLES_VTT}",
            thumbnail=f"{base}/{outputs.THUMBNAIL}",
        )


class VideoState(BaseModel):
    """One video as an agent follows it."""

    id: str
    status: VideoStatus
    progress: int = Field(description="Percent done, 0-100.")
    stage: str | None = Field(description="The stage being worked on (speech, render, ...).")
    error: str | None = Field(description="Why the video failed, in words; null otherwise.")
    title: str | None
    duration_seconds: float | None = Field(description="Once completed: how long it plays.")
    files: VideoFiles | None = Field(description="Once completed: where its files are.")
    created_at: datetime


class VideoList(BaseModel):
    """Videos, newest first."""

    videos: list[VideoState]
