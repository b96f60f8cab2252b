"""hibari-tts: a second bundled offline English voice ("heart"), spoken in the process pool."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

from aivideo.core.config import Settings
from aivideo.pipeline.speech.cache import Speaker
from aivideo.pipeline.speech.hibari_voice import SAMPLE_RATE, preload_voice, synthesize_sentence
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.voices import Voice
from aivideo.pipeline.tools import PipelineTools

NAME = "hibari"

BUNDLED = [
    Voice(
        "heart",
        NAME,
        "US English, female (hibari-tts, distilled from Kokoro's af_heart)",
        package="hibari",
        language="en-US",
        sample_rate=SAMPLE_RATE,
        word_timings="estimated",  # the model gives no durations
    ),
]


class HibariEngine:
    name = NAME

    def __init__(self) -> None:
        # The speech cache keys on the model: another hibari release may sound different.
        self._model = f"hibari-tts {version('hibari-tts')}"

    def voices(self, settings: Settings) -> list[Voice]:
        return list(BUNDLED)

    def default_voice(self, settings: Settings) -> str | None:
        return None

    def speaker(self, voice: Voice, tools: PipelineTools) -> Speaker:
        async def synthesize(text: str, rate: float) -> SpokenAudio:
            return await tools.run_in_process(synthesize_sentence, voice.name, text, rate)

        return Speaker(NAME, self._model, voice.name, synthesize)

    async def preload(self, voice: Voice, tools: PipelineTools) -> None:
        # Once per worker process: each one loads the voice for itself.
        workers = range(tools.settings.process_pool_size)
        await asyncio.gather(*(tools.run_in_process(preload_voice, voice.name) for _ in workers))
