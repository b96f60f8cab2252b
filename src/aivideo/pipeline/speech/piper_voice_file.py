"""A Piper voice as Piper publishes it: ``NAME.onnx`` and ``NAME.onnx.json``, read into a Voice.

The JSON tells the voice's language, quality and sample rate, and what Piper
needs to load it. Only the fields read here are checked (a voice missing one
of them would fail as it loads, in a worker, long after it was offered);
the rest is Piper's business.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, PositiveInt, ValidationError

from aivideo.pipeline.speech.voices import Origin, Voice

CONFIG_SUFFIX = ".json"  # NAME.onnx's config is NAME.onnx.json
MAX_NAME_CHARS = 64  # the longest voice name a video may ask for (VideoCreate.voice)

# Piper writes "es_ES", "en_GB", "zh_CN": a language, then a region.
_LANGUAGE_CODE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


class BrokenVoiceFile(Exception):
    """The file cannot be a voice; the message says why."""


class _Audio(BaseModel):
    sample_rate: PositiveInt
    quality: str | None = None


class _Language(BaseModel):
    code: str = Field(pattern=_LANGUAGE_CODE.pattern)
    name_english: str | None = None
    country_english: str | None = None


class _Espeak(BaseModel):
    voice: str


class PiperVoiceConfig(BaseModel):
    """What aivideo and Piper read from a voice's JSON (``piper.PiperConfig.from_dict``)."""

    audio: _Audio
    language: _Language
    espeak: _Espeak
    num_symbols: PositiveInt
    num_speakers: PositiveInt
    phoneme_id_map: dict[str, list[int]]


def config_path(model: Path) -> Path:
    return model.with_name(model.name + CONFIG_SUFFIX)


def bcp47(piper_code: str) -> str:
    """Piper's ``es_ES`` as BCP-47: ``es-ES``."""
    return piper_code.replace("_", "-")


def read_voice(
    model: Path, config_json: bytes, engine: str, revision: str, model_revision: str
) -> Voice:
    """The voice whose model is ``model`` and whose JSON holds ``config_json``.

    Raises:
        BrokenVoiceFile: the name is too long, or the JSON is not a Piper voice's.
    """
    name = model.name.removesuffix(".onnx")
    if len(name) > MAX_NAME_CHARS:
        raise BrokenVoiceFile(f"its name is longer than {MAX_NAME_CHARS} characters")
    try:
        config = PiperVoiceConfig.model_validate_json(config_json)
    except ValidationError as exc:
        raise BrokenVoiceFile(_problems(exc)) from exc
    language = config.language
    where = ", ".join(part for part in (language.country_english,) if part)
    spoken = f"{language.name_english or language.code}{f' ({where})' if where else ''}"
    quality = config.audio.quality
    return Voice(
        name,
        engine,
        f"{spoken}, {quality or 'unknown'} quality (Piper voice file {model.name})",
        model_path=model,
        revision=revision,
        model_revision=model_revision,
        language=bcp47(language.code),
        quality=quality,
        sample_rate=config.audio.sample_rate,
        word_timings="aligned",  # Piper's model is patched to time its phonemes (aligned_model)
        origin=Origin.VOICES_DIR,
    )


def _problems(exc: ValidationError) -> str:
    """pydantic's errors as one line: ``audio.sample_rate: Field required; ...``."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
