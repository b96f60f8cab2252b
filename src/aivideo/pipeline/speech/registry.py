"""The speech engines this build knows, and what they offer together.

Engines are asked in order: an installed (offline) voice keeps its name beside
a remote service that offers the same one, and the first engine that wants to
choose the default voice (a configured remote service) does.
"""

from __future__ import annotations

from aivideo.core.config import Settings
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.engine import SpeechEngine
from aivideo.pipeline.speech.engines.piper import PiperEngine
from aivideo.pipeline.speech.engines.remote import RemoteEngine
from aivideo.pipeline.speech.voices import Voice, VoiceCatalogue
from aivideo.pipeline.tools import PipelineTools

ENGINES: dict[str, SpeechEngine] = {
    engine.name: engine for engine in (PiperEngine(), RemoteEngine())
}
_DEFAULT_CHOOSERS = ("remote", "piper")  # who picks the default voice, first match wins


def voice_catalogue(settings: Settings) -> VoiceCatalogue:
    """The voices ``settings`` offer, read afresh (cheap: no engine is loaded)."""
    voices = [voice for engine in ENGINES.values() for voice in engine.voices(settings)]
    defaults = (ENGINES[name].default_voice(settings) for name in _DEFAULT_CHOOSERS)
    return VoiceCatalogue.of(voices, next(name for name in defaults if name is not None))


def speaker_for(voice: Voice, tools: PipelineTools) -> Speaker:
    """``voice``, ready to speak, by the engine it belongs to."""
    return ENGINES[voice.engine].speaker(voice, tools)


async def preload(voice: Voice, tools: PipelineTools) -> None:
    await ENGINES[voice.engine].preload(voice, tools)
