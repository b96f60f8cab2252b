"""The subtitles stage: cues timed from the narration, as SRT and WebVTT.

A sentence too long for two lines is split into several cues, and its time is
shared between them in proportion to their length.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from aivideo.core.options import Aspect
from aivideo.pipeline.speech.narration import Narration
from aivideo.pipeline.text_tokens import Token, joined, shown_width, text_tokens, wrap_lines

MAX_LINES = 2
# In Latin letters: a Chinese or Japanese character counts two (scripts_of_text.display_width).
_CHARS_PER_LINE = {Aspect.LANDSCAPE: 42, Aspect.SQUARE: 32, Aspect.PORTRAIT: 26}


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def chars_per_line(aspect: Aspect) -> int:
    return _CHARS_PER_LINE[aspect]


def make_cues(narration: Narration, aspect: Aspect) -> list[Cue]:
    cues = []
    width = chars_per_line(aspect)
    for sentence in narration.sentences:
        chunks = _balanced_chunks(sentence.text, width)
        total = sum(len(" ".join(chunk)) for chunk in chunks)
        start = sentence.start
        for chunk in chunks:
            share = len(" ".join(chunk)) / total
            end = start + (sentence.end - sentence.start) * share
            cues.append(Cue(round(start, 3), round(end, 3), chunk))
            start = end
    return cues


def _balanced_chunks(text: str, width: int) -> list[list[str]]:
    """Lines of at most ``width`` Latin letters, in cues of up to two lines of similar length.

    Cutting at every second line would leave a lone word as a flash of a cue.
    Japanese and Chinese phrases are joined without spaces (``text_tokens``).
    """
    lines = wrap_lines(text, width)
    if len(lines) <= MAX_LINES:
        return [lines]
    count = math.ceil(len(lines) / MAX_LINES)
    tokens = text_tokens(text)
    target = shown_width(tokens) / count
    groups: list[list[Token]] = [[]]
    for token in tokens:
        if groups[-1] and shown_width([*groups[-1], token]) > target and len(groups) < count:
            groups.append([])
        groups[-1].append(token)
    return [wrap_lines(joined(group), width) for group in groups]


def cues_to_json(cues: list[Cue]) -> list[dict[str, object]]:
    return [asdict(cue) for cue in cues]


def cues_from_json(data: list[dict[str, object]]) -> list[Cue]:
    return [Cue(**cue) for cue in data]  # type: ignore[arg-type]


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: list[Cue]) -> str:
    blocks = [
        f"{i}\n{_timestamp(c.start, ',')} --> {_timestamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: list[Cue]) -> str:
    blocks = [f"{_timestamp(c.start, '.')} --> {_timestamp(c.end, '.')}\n{c.text}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)
