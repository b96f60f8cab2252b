"""One sentence as a voice said it: its samples, and when each of its words is spoken."""

from __future__ import annotations

from dataclasses import dataclass

from aivideo.core.script import is_speakable

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


def word_tokens(text: str) -> list[str]:
    """The words of ``text`` as written: split on whitespace, punctuation left attached.

    A token without a letter or digit (an emoji, a lone dash) is not a word.
    """
    return [token for token in text.split() if is_speakable(token)]
