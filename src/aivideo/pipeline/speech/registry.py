"""The speech engines this build knows, and what they offer together.

Engines are asked in order: an installed (offline) voice keeps its name beside
a remote service that offers the same one, and the first engine that wants to
choose the default voice (a configured remote service) does. A voice of the
voices folder (``AIVIDEO_VOICES_DIR``) named like a bundled one is not offered:
the bundled voice keeps the name, and the log says so once.
"""

from __future__ import annotations

import asyncio
import logging

from aivideo.core.config import Settings
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.engine import SpeechEngine
from aivideo.pipeline.speech.engines.hibari import HibariEngine
from aivideo.pipeline.speech.engines.piper import PiperEngine
from aivideo.pipeline.speech.engines.remote import RemoteEngine
from aivideo.pipeline.speech.voices import Origin, Voice, VoiceCatalogue
from aivideo.pipeline.speech.voices_folder import voices_folder
from aivideo.pipeline.tools import PipelineTools

logger = logging.getLogger(__name__)

ENGINES: dict[str, SpeechEngine] = {
    engine.name: engine for engine in (PiperEngine(), HibariEngine(), RemoteEngine())
}
_DEFAULT_CHOOSERS = ("remote", "piper")  # who picks the default voice, first match wins

_reported_hidden: set[Voice] = set()  # voice files already reported as hidden by a bundled name


def voice_catalogue(settings: Settings) -> VoiceCatalogue:
    """The voices ``settings`` offer, as the voices folder was last seen (no engine is loaded).

    On an event loop this never touches the disk: the folder is as the last
    :func:`current_voice_catalogue` found it. Elsewhere (the command line, a
    thread) it looks at the folder itself when the last look is a second old.
    """
    if settings.voices_dir is not None and not _on_event_loop():
        folder = voices_folder(settings.voices_dir)
        if folder.is_due():
            folder.look_blocking()
    voices = [voice for engine in ENGINES.values() for voice in engine.voices(settings)]
    defaults = (ENGINES[name].default_voice(settings) for name in _DEFAULT_CHOOSERS)
    catalogue = VoiceCatalogue.of(voices, next(name for name in defaults if name is not None))
    _report_hidden(voices, catalogue)
    return catalogue


async def current_voice_catalogue(settings: Settings, *, fresh: bool = False) -> VoiceCatalogue:
    """The voices ``settings`` offer, the voices folder looked at if the last look is a
    second old (``fresh``: looked at now, as a video about to speak does)."""
    if settings.voices_dir is not None:
        await voices_folder(settings.voices_dir).look(fresh=fresh)
    return voice_catalogue(settings)


def speaker_for(voice: Voice, tools: PipelineTools) -> Speaker:
    """``voice``, ready to speak, by the engine it belongs to."""
    return ENGINES[voice.engine].speaker(voice, tools)


async def preload(voice: Voice, tools: PipelineTools) -> None:
    await ENGINES[voice.engine].preload(voice, tools)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _report_hidden(voices: list[Voice], catalogue: VoiceCatalogue) -> None:
    for voice in voices:
        kept = catalogue.voices[voice.name]
        if (
            voice.origin is Origin.VOICES_DIR
            and kept is not voice
            and voice not in _reported_hidden
        ):
            _reported_hidden.add(voice)
            logger.warning(
                "the voice file %s is not offered: %r is the name of a bundled voice, which "
                "keeps it; rename the file (and its .json) to offer it",
                voice.model_path,
                voice.name,
            )
