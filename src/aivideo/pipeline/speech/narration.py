"""The narration: spoken sentences joined into one WAV file, and where each one sits.

The start and end of every sentence, and of every word in it, give the
subtitles exact timing for free. All of them are in video seconds: the
narration starts with the video (the title's lead-in is silence in it).
"""

from __future__ import annotations

import logging
import math
import unicodedata
import wave
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from aivideo.pipeline.speech.spoken_audio import SpokenAudio, WordSpan, word_tokens
from aivideo.pipeline.speech.word_estimates import letter_weight, share_span, word_pauses

logger = logging.getLogger(__name__)

PAUSE_BETWEEN_SENTENCES = 0.25  # seconds
PAUSE_BETWEEN_SCENES = 0.6
TAIL = 0.5  # silence after the last word, so the video does not cut it off


@dataclass(frozen=True)
class SpokenWord:
    text: str  # as written, punctuation attached ("Dr.", "$3.50", "well-known,")
    start: float  # seconds from the start of the video
    end: float


@dataclass(frozen=True)
class SpokenSentence:
    text: str
    start: float  # seconds from the start of the narration (and of the video)
    end: float
    words: list[SpokenWord] = field(default_factory=list)  # its words, in order


@dataclass(frozen=True)
class Narration:
    """Where each sentence, and each of its words, sits in the narration's audio file."""

    sentences: list[SpokenSentence]
    duration: float
    sample_rate: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Narration:
        sentences = data["sentences"]
        assert isinstance(sentences, list)
        duration, sample_rate = data["duration"], data["sample_rate"]
        assert isinstance(duration, float | int) and isinstance(sample_rate, int)
        return cls([_sentence_from_json(s) for s in sentences], float(duration), sample_rate)


def _sentence_from_json(data: dict[str, Any]) -> SpokenSentence:
    text, start, end = data["text"], data["start"], data["end"]
    if "words" in data:
        words = [SpokenWord(**word) for word in data["words"]]
    else:
        # Recorded before words were timed: estimated, so every sentence has its words.
        words = _words(text, _estimated(text, start, end), 0.0)
    return SpokenSentence(text, start, end, words)


def _estimated(text: str, start: float, end: float) -> list[WordSpan]:
    weights = [letter_weight(token) for token in word_tokens(text)]
    return share_span(weights, word_pauses(text), start, end)


def _words(text: str, spans: Sequence[WordSpan], offset: float) -> list[SpokenWord]:
    """The words of ``text`` with their spans, moved ``offset`` seconds later."""
    return [
        SpokenWord(token, offset + start, offset + end)
        for token, (start, end) in zip(word_tokens(text), spans, strict=True)
    ]


def spoken_form(sentence: str) -> str:
    """The sentence as the voice should read it: without emoji and other symbols."""
    return "".join(c for c in sentence if unicodedata.category(c) not in ("So", "Sk", "Cs", "Co"))


def assemble_narration(
    scenes: list[list[tuple[str, SpokenAudio]]],
    sample_rate: int,
    lead_in: float,
    output: Path,
    min_seconds: Sequence[float] = (),
) -> Narration:
    """Join spoken sentences into one WAV file: a lead-in, pauses, and a tail of silence.

    ``scenes`` holds, per scene, each sentence's text and how it was spoken (at
    any sample rate: each is brought to ``sample_rate``). ``min_seconds``: how
    long each scene must last at least, from its start (the video's, for the
    first) to the next one's; silence after its last sentence makes up the rest.
    """

    def silence(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * sample_rate), dtype=np.int16)

    pieces = [silence(lead_in)]
    position = len(pieces[0])
    spoken = []
    for scene_index, scene in enumerate(scenes):
        scene_start = 0  # the first scene starts with the video, the others after their pause
        for sentence_index, (text, audio) in enumerate(scene):
            if scene_index or sentence_index:
                pieces.append(
                    silence(PAUSE_BETWEEN_SENTENCES if sentence_index else PAUSE_BETWEEN_SCENES)
                )
                position += len(pieces[-1])
                if not sentence_index:
                    scene_start = position
            samples = np.frombuffer(audio.at_rate(sample_rate).samples, dtype=np.int16)
            start, end = position / sample_rate, (position + len(samples)) / sample_rate
            spoken.append(
                SpokenSentence(text, start, end, _words(text, _spans(text, audio), start))
            )
            pieces.append(samples)
            position += len(samples)
        wanted = min_seconds[scene_index] if scene_index < len(min_seconds) else 0.0
        # The scene ends once the pause after it (the tail, for the last) is over.
        after = len(silence(TAIL if scene_index == len(scenes) - 1 else PAUSE_BETWEEN_SCENES))
        short = math.ceil(wanted * sample_rate) - (position + after - scene_start)
        if short > 0:
            pieces.append(np.zeros(short, dtype=np.int16))
            position += short
    pieces.append(silence(TAIL))
    joined = np.concatenate(pieces)
    with wave.open(str(output), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(joined.tobytes())
    return Narration(spoken, len(joined) / sample_rate, sample_rate)


def _spans(text: str, audio: SpokenAudio) -> Sequence[WordSpan]:
    """The words' spans ``audio`` came with, if they are the written text's words."""
    if len(audio.words) == len(word_tokens(text)):
        return audio.words
    # The written text and its spoken form have the same words (emoji are never
    # words), so this is a voice that timed some other text: never trust it.
    logger.warning("the voice timed %d words of %r: estimating them", len(audio.words), text)
    return _estimated(text, 0.0, audio.duration)
