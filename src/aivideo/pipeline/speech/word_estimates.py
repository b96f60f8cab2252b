"""Word times estimated from the sound alone, for a voice that does not time its phonemes.

The sentence's sound (its samples without the silence before and after) is
shared between its words by how long each one takes to say: its phoneme
count when espeak can tell, else a count from its letters and digits. A
comma, a full stop or a lone dash inside the sentence adds a pause after
the word before it, the way a voice breathes there.
"""

from __future__ import annotations

from collections.abc import Sequence

from aivideo.core.script import is_speakable
from aivideo.pipeline.scripts_of_text import scripts
from aivideo.pipeline.speech.sound import sound_span, trim_to_sound
from aivideo.pipeline.speech.spoken_audio import WordSpan, word_tokens
from aivideo.pipeline.text_tokens import text_tokens

# Pauses in phoneme lengths (about 50 ms each for Piper's voices): Piper's own
# alignments hold about 0.25 s after a comma and a little more at a full stop.
COMMA_PAUSE = 4.0
STOP_PAUSE = 6.0
_COMMA_MARKS = frozenset(",;:—–-、，；：،؛")
_STOP_MARKS = frozenset(".!?…。！？؟।॥")
_CLOSERS = "\"'”’»)]}」』）"  # closing quotes and brackets come after the mark that counts

_SPOKEN_SYMBOLS = frozenset("$€£%&@+=#")  # said as a word: "dollars", "percent", "and"

MIN_WORD_SECONDS = 0.05  # the shortest time a word can be said in


def letter_weight(token: str) -> float:
    """How long ``token`` takes to say, in phonemes, guessed from its characters."""
    return max(sum(_character_weight(c) for c in token), 1.0)


def _character_weight(character: str) -> float:
    if character.isalpha():
        # A Chinese character is a syllable: about two kana (morae) in Japanese.
        return 2.0 if "Hani" in scripts(character) else 1.0
    # A digit is said as a word ("2024": four of them), and so is a symbol.
    return 3.0 if character.isdigit() or character in _SPOKEN_SYMBOLS else 0.0


def pause_after(token: str) -> float:
    """The pause a voice makes after ``token`` (a word or a lone mark), in phoneme lengths."""
    end = token.rstrip(_CLOSERS)[-1:]
    if end in _STOP_MARKS:
        # "e.g." and "U.S." are read through; "Dr." and "stop." are not.
        is_abbreviation = end == "." and "." in token.rstrip(_CLOSERS)[:-1]
        return 0.0 if is_abbreviation else STOP_PAUSE
    return COMMA_PAUSE if end in _COMMA_MARKS else 0.0


def word_pauses(text: str) -> list[float]:
    """Per word of ``text``, the pause after it, the lone marks that follow it included."""
    pauses: list[float] = []
    for token in (token.text for token in text_tokens(text)):
        if is_speakable(token):
            pauses.append(pause_after(token))
        elif pauses:
            pauses[-1] = max(pauses[-1], pause_after(token))
    return pauses


def share_span(
    weights: Sequence[float], pauses: Sequence[float], start: float, end: float
) -> list[WordSpan]:
    """``start`` to ``end`` shared between words by weight, with a pause after each but the last."""
    if not weights:
        return []
    gaps = [*pauses[: len(weights) - 1], 0.0]
    unit = max(end - start, 0.0) / ((sum(weights) + sum(gaps)) or 1.0)
    spans, position = [], start
    for weight, gap in zip(weights, gaps, strict=True):
        spans.append((position, min(end, position + weight * unit)))  # no rounding past it
        position += (weight + gap) * unit
    return spans


def estimated_word_spans(
    text: str, samples: bytes, sample_rate: int, weights: Sequence[float] | None = None
) -> list[WordSpan]:
    """Each word of ``text`` timed within the sound of ``samples``.

    ``weights``: per word, how long it takes to say (its phoneme count); by
    default guessed from its letters.
    """
    tokens = word_tokens(text)
    if weights is None:
        weights = [letter_weight(token) for token in tokens]
    spans = share_span(weights, word_pauses(text), *sound_span(samples, sample_rate))
    return trim_to_sound(spans, samples, sample_rate)


def fill_unplaced(
    spans: Sequence[WordSpan | None], weights: Sequence[float], start: float, end: float
) -> list[WordSpan]:
    """Spans for the words that have none (None), estimated between their placed neighbours.

    A run of unplaced words shares the time between its neighbours, or the
    sentence's ``start`` and ``end``; when that gap is too short to say them
    in, they share a neighbour's span with it instead.
    """
    filled = list(spans)
    index = 0
    while index < len(filled):
        if filled[index] is not None:
            index += 1
            continue
        last = index
        while last + 1 < len(filled) and filled[last + 1] is None:
            last += 1
        index = _fill_run(filled, weights, index, last, start, end)
    return [span for span in filled if span is not None]


def _fill_run(
    filled: list[WordSpan | None],
    weights: Sequence[float],
    first: int,
    last: int,
    start: float,
    end: float,
) -> int:
    """Time the unplaced words ``first..last`` in place; the index after the last one timed."""
    before = filled[first - 1] if first else None
    after = filled[last + 1] if last + 1 < len(filled) else None
    low = before[1] if before else start
    high = after[0] if after else end
    if high - low < MIN_WORD_SECONDS * (last - first + 1):
        if before is not None:
            first, low = first - 1, before[0]
        elif after is not None:
            last, high = last + 1, after[1]
    filled[first : last + 1] = share_span(
        weights[first : last + 1], [0.0] * (last - first), low, high
    )
    return last + 1
