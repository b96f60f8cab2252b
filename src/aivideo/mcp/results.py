"""What the tools answer: small typed records, shown to the agent as structured results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from aivideo.core.status import VideoStatus


class VideoFiles(BaseModel):
    """Where a finished video's files are: paths on this machine, or URLs of the API."""

    video: str
    subtitles_srt: str
    subtitles_vtt: str
    thumbnail: str


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


class VoiceList(BaseModel):
    """The voices videos can be made with."""

    voices: list[str]
    default: str
