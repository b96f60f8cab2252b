"""The subtitles stage: cues timed by the narration, as SRT and WebVTT files, and its words.

``words.json`` lists every written word with when it is said, in video
seconds, for players that highlight each word as it is spoken.
"""

from __future__ import annotations

import json
from typing import Any

from aivideo.core.outputs import SUBTITLES_SRT, SUBTITLES_VTT, WORDS
from aivideo.pipeline import subtitles
from aivideo.pipeline.context import Context
from aivideo.pipeline.records import SubtitlesRecord
from aivideo.pipeline.speech.narration import Narration


async def run(ctx: Context) -> SubtitlesRecord:
    assert ctx.narration is not None
    cues = subtitles.make_cues(ctx.narration, ctx.spec.aspect)
    await ctx.workspace.write_text(SUBTITLES_SRT, subtitles.to_srt(cues))
    await ctx.workspace.write_text(SUBTITLES_VTT, subtitles.to_vtt(cues))
    await ctx.workspace.write_text(WORDS, words_json(ctx.narration))
    return SubtitlesRecord(cues)


def words_json(narration: Narration) -> str:
    """``{"words": [{"text": "Water", "start": 0.52, "end": 0.81}, ...]}``, to the millisecond."""
    words = [
        {"text": word.text, "start": round(word.start, 3), "end": round(word.end, 3)}
        for sentence in narration.sentences
        for word in sentence.words
    ]
    return json.dumps({"words": words}, ensure_ascii=False)


def parse(data: dict[str, Any]) -> SubtitlesRecord:
    return SubtitlesRecord.from_json(data)


def restore(ctx: Context, record: SubtitlesRecord) -> None:
    ctx.cues = record.cues
