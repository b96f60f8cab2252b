"""The speech stage: every sentence spoken (or taken from the speech cache), one WAV file."""

from __future__ import annotations

import asyncio
from typing import Any

from aivideo.core.outputs import NARRATION
from aivideo.pipeline.context import Context
from aivideo.pipeline.speech.cache import SpeechCache
from aivideo.pipeline.speech.narration import Narration, assemble_narration
from aivideo.pipeline.speech.registry import speaker_for
from aivideo.pipeline.speech.spoken_audio import SpokenAudio


async def run(ctx: Context) -> Narration:
    assert ctx.script is not None
    speaker = speaker_for(ctx.voices.find(ctx.spec.voice), ctx.tools)
    cache = SpeechCache.from_settings(ctx.tools.settings)
    total, finished = len(ctx.script.sentences), 0

    async def speak(sentence: str) -> SpokenAudio:
        nonlocal finished
        spoken = await cache.speak(speaker, sentence, ctx.spec.rate)
        finished += 1
        ctx.progress(finished / total)
        return spoken

    # One task per sentence keeps every worker process busy to the end.
    results = await asyncio.gather(*(speak(s) for s in ctx.script.sentences))
    sample_rate = results[0].sample_rate
    spoken = iter(results)
    by_scene = [[(text, next(spoken)) for text in scene.sentences] for scene in ctx.script.scenes]
    async with ctx.workspace.atomic(NARRATION) as partial:
        return await ctx.tools.run_in_thread(
            assemble_narration, by_scene, sample_rate, ctx.lead_in, partial
        )


def parse(data: dict[str, Any]) -> Narration:
    return Narration.from_json(data)


def restore(ctx: Context, record: Narration) -> None:
    ctx.narration = record
