"""The speech stage: every sentence spoken (or taken from the speech cache), one WAV file.

With a speech farm, other workers may speak some of the sentences.

A storyboard's scene speaks with its own voice, if it names one, and lasts at
least its ``min_seconds`` (silence after its words).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from aivideo.core.outputs import NARRATION
from aivideo.pipeline.context import Context
from aivideo.pipeline.speech.narration import Narration, assemble_narration
from aivideo.pipeline.speech.spoken_audio import SpokenAudio
from aivideo.pipeline.speech.spoken_lines import LinesDone, SpokenLine, speak_lines


async def _speak_here(
    ctx: Context, lines: Sequence[SpokenLine], on_done: LinesDone
) -> list[SpokenAudio]:
    return await speak_lines(lines, ctx.spec.rate, ctx.tools, ctx.voices, on_done)


async def run(ctx: Context) -> Narration:
    assert ctx.script is not None
    scenes = ctx.script.scenes
    # A storyboard's scenes may each have a voice of their own.
    voices = [ctx.voices.find(ctx.spec.scene_voice(index)).name for index in range(len(scenes))]
    lines = [
        (voice, sentence)
        for voice, scene in zip(voices, scenes, strict=True)
        for sentence in scene.sentences
    ]

    def progress(done: int) -> None:
        ctx.progress(done / len(lines))

    speak_here = partial(_speak_here, ctx)
    if ctx.speech_farm is None:
        results = await speak_here(lines, progress)
    else:
        results = await ctx.speech_farm.speak(lines, ctx.spec.rate, speak_here, progress)
    sample_rate = max(result.sample_rate for result in results)  # nothing is made coarser
    spoken = iter(results)
    by_scene = [[(text, next(spoken)) for text in scene.sentences] for scene in scenes]
    held = [scene.min_seconds for scene in ctx.spec.scenes]
    async with ctx.workspace.atomic(NARRATION) as temporary:
        return await ctx.tools.run_in_thread(
            assemble_narration, by_scene, sample_rate, ctx.lead_in, temporary, held
        )


def parse(data: dict[str, Any]) -> Narration:
    return Narration.from_json(data)


def restore(ctx: Context, record: Narration) -> None:
    ctx.narration = record
