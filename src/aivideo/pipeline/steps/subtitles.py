"""The subtitles stage: cues timed by the narration, as SRT and WebVTT files."""

from __future__ import annotations

from typing import Any

from aivideo.core.outputs import SUBTITLES_SRT, SUBTITLES_VTT
from aivideo.pipeline import subtitles
from aivideo.pipeline.context import Context
from aivideo.pipeline.records import SubtitlesRecord


async def run(ctx: Context) -> SubtitlesRecord:
    assert ctx.narration is not None
    cues = subtitles.make_cues(ctx.narration, ctx.spec.aspect)
    await ctx.workspace.write_text(SUBTITLES_SRT, subtitles.to_srt(cues))
    await ctx.workspace.write_text(SUBTITLES_VTT, subtitles.to_vtt(cues))
    return SubtitlesRecord(cues)


def parse(data: dict[str, Any]) -> SubtitlesRecord:
    return SubtitlesRecord.from_json(data)


def restore(ctx: Context, record: SubtitlesRecord) -> None:
    ctx.cues = record.cues
