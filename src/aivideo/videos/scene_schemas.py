"""A storyboard in a request: the scenes a client writes itself, one by one.

``VideoCreate.scenes`` holds them instead of ``text`` or ``prompt``: the video
says each scene's text and shows what the scene asks for, in order, without
splitting or joining scenes. Every check names the scene and the field
(``scenes[3].media_url``): pydantic puts the scene's place in the error's location.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

import emoji
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from aivideo.core.script import MAX_TEXT_CHARS, is_speakable
from aivideo.core.spec import SceneSpec
from aivideo.videos.text_fields import MediaUrl, without_nul

MAX_SCENES = 100
MAX_SCENE_PICTOGRAMS = 3  # what a scene's picture has room for
MAX_HEADLINE_CHARS = 80
MAX_HOLD_SECONDS = 60  # min_seconds: a scene held longer is a still, not a video
# All the scenes' min_seconds together: about what the longest narration takes to say.
MAX_HELD_SECONDS = 1800

_COMPONENT = emoji.STATUS["component"]  # a skin tone or hair style alone: part of an emoji
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})  # control characters, line and paragraph breaks


def _one_emoji(text: str) -> str:
    shown = text.strip()
    data = emoji.EMOJI_DATA.get(shown)
    if data is None or data["status"] == _COMPONENT:
        raise ValueError(f"{text!r} is not an emoji: give one emoji per entry, such as 💧 or 🌍")
    return shown


Pictogram = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_one_emoji)]


class SceneCreate(BaseModel):
    """One scene of a storyboard: what is said, and optionally what is shown and how long."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="What is said during the scene; its sentences all stay in this scene.",
        json_schema_extra={"pattern": "[^\\W_]"},
    )
    media_url: MediaUrl | None = Field(
        default=None,
        description="A picture or clip (http/https) the scene shows, instead of a generated one.",
    )
    pictograms: list[Pictogram] = Field(
        default_factory=list,
        max_length=MAX_SCENE_PICTOGRAMS,
        description="Emoji the scene shows (each one emoji, e.g. 💧), when it has no media_url.",
    )
    headline: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_HEADLINE_CHARS,
        description="A few words shown big on the scene. Unset: chosen from its text.",
    )
    min_seconds: float | None = Field(
        default=None,
        gt=0,
        le=MAX_HOLD_SECONDS,
        description="The scene lasts at least this long: silence follows its words.",
    )
    voice: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The voice of this scene. Unset: the video's.",
    )

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("must contain something to narrate, not only spaces")
        if not is_speakable(text):
            raise ValueError("has nothing to narrate: it needs words or numbers")
        return without_nul(text)

    @field_validator("headline")
    @classmethod
    def _one_line(cls, headline: str | None) -> str | None:
        if headline is None:
            return None
        if not headline.strip():
            raise ValueError("must hold some words, not only spaces")
        if any(unicodedata.category(character) in _LINE_BREAKING for character in headline):
            # A line break or a control character would end the subtitle line it is drawn with.
            raise ValueError("must be one line of text, without line breaks or control characters")
        return headline.strip()

    @field_validator("voice")
    @classmethod
    def _no_nul(cls, voice: str | None) -> str | None:
        return None if voice is None else without_nul(voice)

    @model_validator(mode="after")
    def _one_picture(self) -> SceneCreate:
        if self.media_url is not None and self.pictograms:
            raise ValueError(
                "a scene shows its `media_url` or its `pictograms`, not both: leave one of them out"
            )
        return self

    def spec(self) -> SceneSpec:
        return SceneSpec(
            text=self.text,
            media_url=str(self.media_url) if self.media_url else None,
            pictograms=tuple(self.pictograms),
            headline=self.headline,
            min_seconds=self.min_seconds or 0.0,
            voice=self.voice,
        )


class ScenePublic(BaseModel):
    """A scene as the client sent it (``VideoPublic.scenes``)."""

    text: str
    media_url: str | None = None
    pictograms: list[Pictogram] = Field(default_factory=list)
    headline: str | None = None
    min_seconds: float | None = None
    voice: str | None = None


def storyboard_problem(scenes: list[SceneCreate]) -> str | None:
    """What is wrong with the scenes taken together (too long), or None."""
    narration = narration_of(scenes)
    if len(narration) > MAX_TEXT_CHARS:
        return (
            f"the scenes' texts have {len(narration)} characters together; at most {MAX_TEXT_CHARS}"
        )
    held = sum(scene.min_seconds or 0 for scene in scenes)
    if held > MAX_HELD_SECONDS:
        return (
            f"the scenes' min_seconds add up to {held:g} s; at most {MAX_HELD_SECONDS} "
            f"({MAX_HELD_SECONDS // 60} minutes) in all"
        )
    return None


def narration_of(scenes: list[SceneCreate]) -> str:
    """The video's text: every scene's narration, a paragraph each."""
    return "\n\n".join(scene.text.strip() for scene in scenes)
