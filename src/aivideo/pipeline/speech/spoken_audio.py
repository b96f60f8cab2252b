"""One sentence as a voice said it: its samples, and when each of its words is spoken."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aivideo.core.script import is_speakable
from aivideo.pipeline.text_tokens import text_tokens

WordSpan = tuple[float, float]  # (start, end) in seconds from the sentence's first sample


@dataclass(frozen=True)
class SpokenAudio:
    """16-bit mono samples and their rate, and one span per word of the sentence.

    ``words`` follows ``word_tokens`` of the spoken text, in order: the times
    come from the same synthesis as the samples, since a voice never says a
    sentence twice with the same durations.
    """

    samples: bytes
    sample_rate: int
    words: tuple[WordSpan, ...]

    @property
    def duration(self) -> float:
        return len(self.samples) / 2 / self.sample_rate

    def at_rate(self, sample_rate: int) -> SpokenAudio:
        """The same sound at ``sample_rate``: a storyboard's voices may each have their own.

        Linear interpolation: plain, and enough for speech, whose sound lies far
        below what either rate carries. The words' times, in seconds, stay as they are.
        """
        if sample_rate == self.sample_rate:
            return self
        samples = np.frombuffer(self.samples, dtype=np.int16).astype(np.float64)
        count = round(len(samples) * sample_rate / self.sample_rate)
        at = np.arange(count) * (self.sample_rate / sample_rate)
        resampled = np.interp(at, np.arange(len(samples)), samples) if len(samples) else samples
        pcm = np.clip(np.round(resampled), -32768, 32767).astype(np.int16).tobytes()
        return SpokenAudio(pcm, sample_rate, self.words)


def word_tokens(text: str) -> list[str]:
    """The words of ``text`` as written: split on whitespace, punctuation left attached,
    Japanese and Chinese cut into phrases (``text_tokens``).

    A token without a letter or digit (an emoji, a lone dash) is not a word.
    """
    return [token.text for token in text_tokens(text) if is_speakable(token.text)]
