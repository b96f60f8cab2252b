"""Sentences spoken by the voices named with them: the speech stage's work, here or elsewhere.

The speech stage hands its sentences to a :class:`SpeechFarm` when it has one
(another worker may speak some: ``aivideo.jobs.speech_farm``), else speaks
them all here; a helping worker speaks its share with :func:`speak_lines` too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from aivideo.pipeline.speech.cache import SpeechCache
from aivideo.pipeline.speech.registry import speaker_for
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.voices import VoiceCatalogue
from aivideo.pipeline.tools import PipelineTools

SpokenLine = tuple[str, str]  # (the voice's name, the sentence)
# How many of the lines are spoken so far.
LinesDone = Callable[[int], None]
SpeakLines = Callable[[Sequence[SpokenLine], LinesDone], Awaitable[list[SpokenAudio]]]


async def speak_lines(
    lines: Sequence[SpokenLine], rate: float, tools: PipelineTools, voices: VoiceCatalogue,
    on_done: LinesDone,
) -> list[SpokenAudio]:  # fmt: skip
    """Each line spoken (or taken from this machine's speech cache), in order.

    Raises:
        InvalidInput: a line names a voice this machine does not have.
    """
    speakers = {name: speaker_for(voices.find(name), tools) for name in {n for n, _ in lines}}
    cache = SpeechCache.from_settings(tools.settings)
    finished = 0

    async def speak(voice: str, sentence: str) -> SpokenAudio:
        nonlocal finished
        spoken = await cache.speak(speakers[voice], sentence, rate)
        finished += 1
        on_done(finished)
        return spoken

    # One task per sentence keeps every worker process busy to the end.
    return list(await asyncio.gather(*(speak(voice, sentence) for voice, sentence in lines)))


class SpeechFarm(Protocol):
    """Who speaks a video's sentences: this process alone, or workers on many machines."""

    async def speak(
        self, lines: Sequence[SpokenLine], rate: float, speak_here: SpeakLines,
        on_done: LinesDone,
    ) -> list[SpokenAudio]:  # fmt: skip
        """Each line spoken, in order; ``speak_here`` speaks lines in this process."""
        ...
