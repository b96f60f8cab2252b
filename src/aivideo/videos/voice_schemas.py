"""The voices a server offers, as the API (``GET /v1/voices``) and the MCP tools describe them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from aivideo.pipeline.speech.voices import Voice, VoiceCatalogue


class VoicePublic(BaseModel):
    """One voice: who speaks it, in what language, and how its words are timed."""

    name: str
    engine: str = Field(description="`piper`, `hibari` or `remote`.")
    language: str | None = Field(
        description="BCP-47 (`en-US`, `es-ES`); null: a remote service's voice, any language."
    )
    quality: str | None = Field(description="A Piper voice's `x_low`, `low`, `medium` or `high`.")
    sample_rate: int | None
    word_timings: Literal["aligned", "estimated"] = Field(
        description="`aligned`: each word timed by the voice itself; `estimated`: from its sound."
    )
    description: str

    @classmethod
    def of(cls, voice: Voice) -> VoicePublic:
        return cls(
            name=voice.name,
            engine=voice.engine,
            language=voice.language,
            quality=voice.quality,
            sample_rate=voice.sample_rate,
            word_timings=voice.word_timings,
            description=voice.description,
        )


class VoiceList(BaseModel):
    """The voices videos can be made with: their names, the default, and each one's details."""

    voices: list[str]
    default: str
    details: list[VoicePublic]

    @classmethod
    def of(cls, catalogue: VoiceCatalogue) -> VoiceList:
        return cls(
            voices=catalogue.names,
            default=catalogue.default,
            details=[VoicePublic.of(catalogue.voices[name]) for name in catalogue.names],
        )
