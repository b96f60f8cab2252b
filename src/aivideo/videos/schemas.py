"""Request and response bodies of the video API."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from aivideo.core.languages import MAX_TAG_CHARS, is_language_tag
from aivideo.core.options import (
    Aspect,
    CaptionStyle,
    OutputFormat,
    Quality,
    SubtitleMode,
    VisualChoice,
)
from aivideo.core.script import MAX_TEXT_CHARS, is_speakable
from aivideo.core.status import VideoStatus
from aivideo.db.models import Video
from aivideo.videos.scene_schemas import (
    MAX_SCENES,
    SceneCreate,
    ScenePublic,
    narration_of,
    storyboard_problem,
)
from aivideo.videos.text_fields import MediaUrl, WebhookUrl
from aivideo.videos.text_fields import without_nul as _without_nul

MAX_PROMPT_CHARS = 2_000
MAX_MEDIA_URLS = 20
MAX_METADATA_BYTES = 4096
MAX_METADATA_DEPTH = 8  # objects and lists inside each other, the metadata object included
MAX_BATCH = 50

_WAYS_IN = ("text", "prompt", "scenes")


def _only(field: str) -> dict[str, JsonValue]:
    others: list[JsonValue] = [{"required": [other]} for other in _WAYS_IN if other != field]
    return {"required": [field], "not": {"anyOf": others}}


# What the validators below check, told to clients in the schema too: one of `text`,
# `prompt` or `scenes`, with a letter or a digit in it (the pattern is searched for).
_SPEAKABLE: dict[str, JsonValue] = {"pattern": "[^\\W_]"}
_ONE_WAY_IN: dict[str, JsonValue] = {"oneOf": [_only(field) for field in _WAYS_IN]}


class VideoCreate(BaseModel):
    """What a client sends to make one video."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_ONE_WAY_IN)

    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="The narration, used as it is. Send `text`, `prompt` or `scenes`.",
        json_schema_extra=_SPEAKABLE,
    )
    prompt: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_PROMPT_CHARS,
        description="What the video is about: a script writer (an LLM, when the server has "
        "one) writes the narration. Send `text`, `prompt` or `scenes`.",
        json_schema_extra=_SPEAKABLE,
    )
    target_seconds: int = Field(
        default=60, ge=10, le=600, description="With `prompt`: about how long the narration is."
    )
    title: str | None = Field(default=None, max_length=200)
    voice: str | None = Field(default=None, max_length=64, description="Unset: the default voice.")
    language: str | None = Field(
        default=None,
        max_length=MAX_TAG_CHARS,
        description="The narration's language, BCP-47 (`es`, `de-DE`, `ja`); unset: the "
        "voice's. A voice that speaks another language is refused (`es` matches `es-MX`).",
        examples=["es"],
    )
    rate: float = Field(default=1.0, ge=0.5, le=2.0, description="Speaking rate: 1 is normal.")
    quality: Quality = Quality.MEDIUM
    format: OutputFormat = OutputFormat.MP4
    aspect: Aspect = Aspect.LANDSCAPE
    subtitles: SubtitleMode = SubtitleMode.BURNED
    caption_style: CaptionStyle = Field(
        default=CaptionStyle.KARAOKE,
        description="Burned captions: `karaoke` highlights each word as it is spoken, "
        "`sentence` shows a sentence at a time.",
    )
    visuals: VisualChoice = Field(
        default=VisualChoice.AUTO,
        description="What the scenes show when `media_urls` do not: `auto` tries stock "
        "footage (when the server has a library), then pictograms matching the words, then a "
        "painted background; `stock`, `pictograms` or `painted` choose one.",
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description=f"Your own JSON object, stored with the video ({MAX_METADATA_BYTES} B max).",
    )
    webhook_url: WebhookUrl | None = None
    media_urls: list[MediaUrl] = Field(
        default_factory=list,
        max_length=MAX_MEDIA_URLS,
        description="Pictures or clips (http/https) the scenes show, in order, instead of "
        "generated pictures. With `scenes`, each scene has its own `media_url` instead.",
    )
    scenes: list[SceneCreate] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SCENES,
        description="A storyboard, instead of `text` or `prompt`: the video has these scenes, "
        "one each, in order, each saying its `text` and showing its `media_url`, "
        "`pictograms` and `headline`.",
    )

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str | None) -> str | None:
        if text is None:
            return None
        if not text.strip():
            raise ValueError("text must contain something to narrate, not only spaces")
        if not is_speakable(text):
            raise ValueError("text has nothing to narrate: it needs words or numbers")
        return text

    @field_validator("text", "prompt", "title", "voice")
    @classmethod
    def _no_nul(cls, text: str | None) -> str | None:
        return None if text is None else _without_nul(text)

    @field_validator("language")
    @classmethod
    def _language_tag(cls, language: str | None) -> str | None:
        if language is not None and not is_language_tag(language):
            raise ValueError(
                "language must be a BCP-47 tag such as `es`, `de-DE` or `ja` (letters, "
                "subtags joined by `-`)"
            )
        return language

    @field_validator("prompt")
    @classmethod
    def _prompt_has_words(cls, prompt: str | None) -> str | None:
        if prompt is not None and not is_speakable(prompt):
            raise ValueError("prompt must say what the video is about, in words")
        return prompt

    @field_validator("scenes")
    @classmethod
    def _not_too_long(cls, scenes: list[SceneCreate] | None) -> list[SceneCreate] | None:
        if scenes is not None and (problem := storyboard_problem(scenes)):
            raise ValueError(problem)
        return scenes

    @model_validator(mode="after")
    def _one_way_in(self) -> VideoCreate:
        given = [f"`{field}`" for field in _WAYS_IN if getattr(self, field) is not None]
        if not given:
            raise ValueError(
                "send one of `text` (the narration, used as it is), `prompt` (what the video "
                "is about, for the script writer) or `scenes` (a storyboard, scene by scene)"
            )
        if len(given) > 1:
            raise ValueError(
                f"send only one of `text`, `prompt` or `scenes`, not {' and '.join(given)} together"
            )
        return self

    @property
    def narration(self) -> str:
        """The narration as sent: ``text``, or the scenes' texts; "" for a prompt."""
        return narration_of(self.scenes) if self.scenes else self.text or ""

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, metadata: dict[str, Any]) -> dict[str, Any]:
        # Checked before measuring: json.dumps would recurse as deep as the value goes.
        problem = _unportable_json(metadata, MAX_METADATA_DEPTH)
        if problem:
            raise ValueError(f"metadata {problem}")
        size = len(json.dumps(metadata, separators=(",", ":")).encode())
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is {size} bytes as JSON; at most {MAX_METADATA_BYTES}")
        return metadata

    def fingerprint(self) -> str:
        """A digest of the request, defaults included, to compare idempotent retries."""
        # Without scenes, as before they existed: a retry across an upgrade still matches.
        unset = {"scenes"} if self.scenes is None else set()
        if self.language is None:
            unset.add("language")
        return hashlib.sha256(self.model_dump_json(exclude=unset).encode()).hexdigest()

    def render_options(self) -> dict[str, Any]:
        options = self.model_dump(
            mode="json",
            include={
                "voice",
                "rate",
                "quality",
                "format",
                "aspect",
                "subtitles",
                "caption_style",
                "visuals",
            },
        )
        if self.language is not None:
            options["language"] = self.language
        if self.prompt is not None:
            options |= {"prompt": self.prompt, "target_seconds": self.target_seconds}
        if self.media_urls:
            options["media_urls"] = [str(url) for url in self.media_urls]
        if self.scenes:
            options["scenes"] = [
                scene.model_dump(mode="json", exclude_defaults=True) for scene in self.scenes
            ]
        return options


def _unportable_json(value: Any, depth: int) -> str | None:
    """What in ``value`` not every database stores as JSON, or None if nothing.

    Python's json reads ``NaN``, ``Infinity`` and ``1e400`` (infinite), which
    JSON does not have; PostgreSQL and MariaDB refuse them. Deep nesting is
    refused too: metadata has no need of it, and each database limits it differently.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return "holds NaN or an infinite number (Infinity, 1e400), which JSON does not have"
    if not isinstance(value, dict | list):
        return None
    if depth == 0:
        return f"is nested too deeply: at most {MAX_METADATA_DEPTH} levels of objects and lists"
    for child in value.values() if isinstance(value, dict) else value:
        if problem := _unportable_json(child, depth - 1):
            return problem
    return None


class VideoOutput(BaseModel):
    """What the finished file is like."""

    duration_seconds: float | None
    size_bytes: int | None
    width: int | None
    height: int | None
    format: str | None


class VideoPublic(BaseModel):
    """A video as the API shows it to its owner."""

    id: str
    status: VideoStatus
    title: str | None
    text: str = Field(
        description="The narration; with `prompt`, empty until the video is made, then what "
        "the script writer wrote; with `scenes`, their texts, a paragraph each."
    )
    prompt: str | None
    scenes: list[ScenePublic] | None = Field(
        default=None, description="The storyboard, as sent; null for `text` or `prompt`."
    )
    media_urls: list[str]
    voice: str | None
    language: str | None = Field(default=None, description="As asked; null: the voice's.")
    rate: float
    quality: Quality
    format: OutputFormat
    aspect: Aspect
    subtitles: SubtitleMode
    caption_style: CaptionStyle
    visuals: VisualChoice
    metadata: dict[str, Any]
    webhook_url: str | None
    progress: int = Field(ge=0, le=100)
    stage: str | None
    error: str | None
    attempts: int
    output: VideoOutput | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class VideoPage(BaseModel):
    """One page of a user's videos, newest first."""

    items: list[VideoPublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class VideoBatchCreate(BaseModel):
    """Up to 50 videos, created together or not at all."""

    model_config = ConfigDict(extra="forbid")

    videos: list[VideoCreate] = Field(min_length=1, max_length=MAX_BATCH)


class VideoBatch(BaseModel):
    videos: list[VideoPublic]


class VideoBatchGet(BaseModel):
    """Up to 50 video ids to look up at once."""

    model_config = ConfigDict(extra="forbid")

    ids: list[Annotated[str, Field(max_length=64), AfterValidator(_without_nul)]] = Field(
        min_length=1, max_length=MAX_BATCH
    )


class VideoBatchFound(BaseModel):
    videos: list[VideoPublic]
    not_found: list[str]


class VideoEventPublic(BaseModel):
    """One line of a video's log."""

    id: int
    created_at: datetime
    kind: str
    message: str
    data: dict[str, Any]


class VideoEventPage(BaseModel):
    items: list[VideoEventPublic]
    next_cursor: str | None


# Where a scene's picture comes from, as the visuals stage chose it.
SceneVisual = Literal["user_media", "media_urls", "stock", "pictograms", "painted"]


class PictogramPublic(BaseModel):
    """One pictogram a scene shows: the emoji and what it stands for."""

    emoji: str
    name: str


class StoryboardScene(BaseModel):
    """One scene of a video: when it plays, what is said and what is shown."""

    index: int = Field(ge=0)
    start: float = Field(ge=0, description="When the scene starts, in seconds of the video.")
    end: float = Field(ge=0, description="When it ends, in seconds of the video.")
    narration: str = Field(description="What is said during the scene.")
    keywords: list[str]
    visual: SceneVisual
    pictograms: list[PictogramPublic]
    headline: str | None = Field(description="The words shown big on the scene, if any.")
    preview_url: str | None = Field(
        description="A small JPEG (about 480 px wide) of what the scene shows; null if none."
    )


class StoryboardPublic(BaseModel):
    """A video's scenes, known once its pictures are chosen (before the video is rendered)."""

    scenes: list[StoryboardScene]
    credits: list[str] = Field(description="Attributions the pictures require, to show with them.")


def video_public(video: Video) -> VideoPublic:
    """The API's view of a stored video."""
    options = video.options
    finished = video.status == VideoStatus.COMPLETED
    return VideoPublic(
        id=video.id,
        status=VideoStatus(video.status),
        title=video.title,
        text=video.text,
        prompt=options.get("prompt"),
        scenes=options.get("scenes"),
        media_urls=options.get("media_urls", []),
        voice=options.get("voice"),
        language=options.get("language"),
        rate=options.get("rate", 1.0),
        quality=options["quality"],
        format=options["format"],
        aspect=options["aspect"],
        subtitles=options["subtitles"],
        caption_style=options.get("caption_style", CaptionStyle.KARAOKE),
        visuals=options.get("visuals", VisualChoice.AUTO),
        metadata=video.metadata_,
        webhook_url=video.webhook_url,
        progress=video.progress,
        stage=video.stage,
        error=video.error_message,
        attempts=video.attempts,
        output=VideoOutput(
            duration_seconds=video.duration_seconds,
            size_bytes=video.size_bytes,
            width=video.width,
            height=video.height,
            format=video.output_format,
        )
        if finished
        else None,
        created_at=video.created_at,
        updated_at=video.updated_at,
        started_at=video.started_at,
        finished_at=video.finished_at,
    )
