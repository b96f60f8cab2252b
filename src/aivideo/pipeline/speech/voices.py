"""The voices aivideo can speak with, found by name.

Each voice belongs to one speech engine (``aivideo.pipeline.speech.engines``).
Which voices a process offers follows from its settings: the registry builds
a :class:`VoiceCatalogue` from them, and whoever checks a voice name is
handed that catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Literal

from aivideo.core.errors import InvalidInput
from aivideo.core.languages import same_language

WordTimings = Literal["aligned", "estimated"]  # timed by the voice itself, or by its sound


class Origin(IntEnum):
    """Where a voice comes from; when two share a name, the lower one keeps it."""

    BUNDLED = 0  # installed with aivideo (a Python package)
    VOICES_DIR = 1  # a file in AIVIDEO_VOICES_DIR
    REMOTE = 2  # a remote speech service


@dataclass(frozen=True)
class Voice:
    name: str
    engine: str  # the name of the speech engine that speaks it
    description: str
    package: str = ""  # a bundled Piper voice's Python package (model_path(), config_path())
    model_path: Path | None = None  # a Piper voice file's model (its config: the path + ".json")
    # A voice file's versions (from sizes and times): what was made from older files is not
    # reused. ``revision`` follows both files, ``model_revision`` the model alone.
    revision: str = ""
    model_revision: str = ""
    language: str | None = None  # BCP-47 ("en-US"); None: whatever the text is in
    quality: str | None = None  # Piper's x_low, low, medium or high; None: not told
    sample_rate: int | None = None  # None: known once it speaks
    word_timings: WordTimings = "estimated"
    origin: Origin = Origin.BUNDLED


@dataclass(frozen=True)
class VoiceCatalogue:
    """The voices one configuration offers, and the one used when a video names none."""

    voices: dict[str, Voice]
    default: str

    @classmethod
    def of(cls, voices: Iterable[Voice], default: str) -> VoiceCatalogue:
        offered: dict[str, Voice] = {}
        # Bundled voices first, then the voices folder's, then a remote service's;
        # within one origin, the first engine to offer a name keeps it.
        for voice in sorted(voices, key=lambda voice: voice.origin):
            offered.setdefault(voice.name, voice)
        return cls(offered, default)

    @property
    def names(self) -> list[str]:
        return sorted(self.voices)

    def find(self, name: str | None) -> Voice:
        """The voice called ``name`` (None: the default one).

        Raises:
            InvalidInput: no voice has that name; the message lists them.
        """
        voice = self.voices.get(name or self.default)
        if voice is None:
            raise InvalidInput(f"unknown voice {name!r}; installed voices: {', '.join(self.names)}")
        return voice


def check_language(voice: Voice, language: str | None) -> None:
    """Refuse ``voice`` for a video in ``language`` when it speaks another one.

    A voice that tells no language (a remote service's) speaks any.

    Raises:
        InvalidInput: naming both languages.
    """
    if language is None or voice.language is None or same_language(voice.language, language):
        return
    raise InvalidInput(
        f"the voice {voice.name!r} speaks {voice.language}, and the video's language is "
        f"{language}: choose a voice that speaks {language} (GET /v1/voices and `aivideo "
        "voices` give each one's language), or leave the language out"
    )
