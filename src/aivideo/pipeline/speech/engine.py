"""What a speech engine is: voices it offers, and a way to speak each of them.

Piper and hibari (offline, in the process pool) and a remote OpenAI-compatible
service are the engines today; a new engine is one class and one line in
``registry.ENGINES``.
"""

from __future__ import annotations

from typing import Protocol

from aivideo.core.config import Settings
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.voices import Voice
from aivideo.pipeline.tools import PipelineTools


class SpeechEngine(Protocol):
    name: str

    def voices(self, settings: Settings) -> list[Voice]:
        """The voices this engine offers under ``settings`` (none when it is not set up)."""
        ...

    def default_voice(self, settings: Settings) -> str | None:
        """The voice a video gets when it names none, if this engine should choose it."""
        ...

    def speaker(self, voice: Voice, tools: PipelineTools) -> Speaker:
        """``voice``, ready to speak sentences.

        Raises:
            InvalidInput: the engine cannot speak on this server (not set up).
        """
        ...

    async def preload(self, voice: Voice, tools: PipelineTools) -> None:
        """Get ready to speak ``voice`` (load models) while the earlier stages run."""
        ...
