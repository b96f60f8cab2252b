"""The voices aivideo can speak with, found by name.

Each voice belongs to one speech engine (``aivideo.pipeline.speech.engines``).
Which voices a process offers follows from its settings: the registry builds
a :class:`VoiceCatalogue` from them, and whoever checks a voice name is
handed that catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aivideo.core.errors import InvalidInput


@dataclass(frozen=True)
class Voice:
    name: str
    engine: str  # the name of the speech engine that speaks it
    description: str
    package: str = ""  # a Piper voice's Python package (model_path(), config_path())


@dataclass(frozen=True)
class VoiceCatalogue:
    """The voices one configuration offers, and the one used when a video names none."""

    voices: dict[str, Voice]
    default: str

    @classmethod
    def of(cls, voices: Iterable[Voice], default: str) -> VoiceCatalogue:
        offered: dict[str, Voice] = {}
        for voice in voices:
            offered.setdefault(voice.name, voice)  # the first engine to offer a name keeps it
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
