"""``aivideo voices``: the voices this machine's settings offer, as a table or as JSON."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from aivideo.videos.voice_schemas import VoiceList


def render_voices(voices: VoiceList, console: Console) -> None:
    table = Table("name", "engine", "language", "quality", "word timings", "", box=None)
    for voice in voices.details:
        table.add_row(
            voice.name,
            voice.engine,
            voice.language or "any",
            voice.quality or "-",
            voice.word_timings,
            "default" if voice.name == voices.default else "",
        )
    console.print(table)
