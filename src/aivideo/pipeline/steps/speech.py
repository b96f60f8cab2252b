"""The speech stage: every sentence spoken (or taken from the speech cache), one WAV file.

A storyboard's scene speaks with its own voice, if it names one, and lasts at
least its ``min_seconds`` (silence after its words).
"""

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
    scenes = ctx.script.scenes
    # A storyboard's scenes may each have a voice of their own.
    voices = [ctx.spec.scene_voice(index) for index in range(len(scenes))]
    speakers = {name: speaker_for(ctx.voices.find(name), ctx.tools) for name in set(voices)}
    cache = SpeechCache.from_settings(ctx.tools.settings)
    total, finished = len(ctx.script.sentences), 0

    async def speak(voice: str | None, sentence: str) -> SpokenAudio:
        nonlocal finished
        spoken = await cache.speak(speakers[voice], sentence, ctx.spec.rate)
        finished += 1
        ctx.progress(finished / total)
        return spoken

    # One task per sentence keeps every worker process busy to the end.
    results = await asyncio.gather(
        *(
            speak(voice, sentence)
            for voice, scene in zip(voices, scenes, strict=True)
            for sentence in scene.sentences
        )
    )
    sample_rate = max(result.sample_rate for result in results)  # nothing is made coarser
    spoken = iter(results)
    by_scene = [[(text, next(spoken)) for text in scene.sentences] for scene in scenes]
    held = [scene.min_seconds for scene in ctx.spec.scenes]
    async with ctx.workspace.atomic(NARRATION) as partial:
        return await ctx.tools.run_in_thread(
            assemble_narration, by_scene, sample_rate, ctx.lead_in, partial, held
        )


def parse(data: dict[str, Any]) -> Narration:
    return Narration.from_json(data)


def restore(ctx: Context, record: Narration) -> None:
    ctx.narration = record
