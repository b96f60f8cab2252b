"""What the finished stages recorded (``stages/<name>.json``), typed.

A stage's record holds what the later stages need, so a resumed video
restores from it instead of doing the work again. Each type reads and
writes the same JSON its stage always wrote.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aivideo.pipeline.overlay_text import Headline
from aivideo.pipeline.subtitles import Cue, cues_from_json, cues_to_json


@dataclass(frozen=True)
class SubtitlesRecord:
    cues: list[Cue]

    def to_json(self) -> dict[str, Any]:
        return {"cues": cues_to_json(self.cues)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubtitlesRecord:
        return cls(cues_from_json(data["cues"]))


@dataclass(frozen=True)
class PlannedShot:
    """What one scene shows: a workspace picture's name, or a clip's own path."""

    path: str
    is_clip: bool
    duration: float
    container_format: str | None = None  # a clip's demuxer (ffmpeg's -f); records before it: None


@dataclass(frozen=True)
class Placed:
    """A workspace picture shown from ``start`` to ``end``: the title card."""

    path: str
    start: float
    end: float


@dataclass(frozen=True)
class VisualsRecord:
    """Captions are not here: the render draws them from the narration's word times."""

    shots: list[PlannedShot]
    title: Placed | None
    headlines: list[Headline]
    credits: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VisualsRecord:
        # A record from before headlines (its caption pictures are no longer used) has none.
        return cls(
            [PlannedShot(**shot) for shot in data["shots"]],
            Placed(**data["title"]) if data["title"] else None,
            [Headline(**headline) for headline in data.get("headlines", [])],
            list(data.get("credits", [])),
        )


@dataclass(frozen=True)
class RenderedVideo:
    file: str  # its name in the workspace
    size_bytes: int
    duration: float
    width: int
    height: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RenderedVideo:
        return cls(**data)


@dataclass(frozen=True)
class ThumbnailRecord:
    file: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ThumbnailRecord:
        return cls(**data)
