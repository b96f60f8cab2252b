"""The narration: spoken sentences joined into one WAV file, and where each one sits.

The start and end of every sentence in the narration give the subtitles
exact timing for free.
"""

from __future__ import annotations

import unicodedata
import wave
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

PAUSE_BETWEEN_SENTENCES = 0.25  # seconds
PAUSE_BETWEEN_SCENES = 0.6
TAIL = 0.5  # silence after the last word, so the video does not cut it off


@dataclass(frozen=True)
class SpokenSentence:
    text: str
    start: float  # seconds from the start of the narration
    end: float


@dataclass(frozen=True)
class Narration:
    """Where each sentence sits in the narration's audio file."""

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
        return cls([SpokenSentence(**s) for s in sentences], float(duration), sample_rate)


def spoken_form(sentence: str) -> str:
    """The sentence as the voice should read it: without emoji and other symbols."""
    return "".join(c for c in sentence if unicodedata.category(c) not in ("So", "Sk", "Cs", "Co"))


def assemble_narration(
    scenes: list[list[tuple[str, bytes]]], sample_rate: int, lead_in: float, output: Path
) -> Narration:
    """Join spoken sentences into one WAV file: a lead-in, pauses, and a tail of silence.

    ``scenes`` holds, per scene, each sentence's text and its 16-bit samples.
    """

    def silence(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * sample_rate), dtype=np.int16)

    pieces = [silence(lead_in)]
    position = len(pieces[0])
    spoken = []
    for scene_index, scene in enumerate(scenes):
        for sentence_index, (text, samples) in enumerate(scene):
            if scene_index or sentence_index:
                pieces.append(
                    silence(PAUSE_BETWEEN_SENTENCES if sentence_index else PAUSE_BETWEEN_SCENES)
                )
                position += len(pieces[-1])
            audio = np.frombuffer(samples, dtype=np.int16)
            spoken.append(
                SpokenSentence(text, position / sample_rate, (position + len(audio)) / sample_rate)
            )
            pieces.append(audio)
            position += len(audio)
    pieces.append(silence(TAIL))
    audio = np.concatenate(pieces)
    with wave.open(str(output), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(audio.tobytes())
    return Narration(spoken, len(audio) / sample_rate, sample_rate)
