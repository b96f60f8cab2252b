"""When each written word is spoken: the voice's timed phonemes mapped back onto the text.

Piper times phonemes, not words, and espeak does not read the text word for
word: it merges some ("for a" is one sound), expands others ("$3.50",
"2024", "Dr."). So each written word is phonemized on its own, and its
phonemes are matched to the timed ones by an edit-distance alignment
(difflib), so that every spoken phoneme is owned by one word. A word's span
runs from the first to the last phoneme it owns; word gaps and pauses belong
to no word, so a silence always falls between two words. A word the match
cannot place is estimated between its neighbours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from aivideo.pipeline.speech.spoken_audio import WordSpan
from aivideo.pipeline.speech.word_estimates import fill_unplaced

# Piper's marks for a word gap, the sentence's start and end, and padding.
_MARKS = frozenset({" ", "^", "$", "_"})
# A stress mark is timed on its own, just before the vowel it stresses; espeak
# stresses a word said alone differently, so it is left out of the match.
_STRESS = frozenset({"ˈ", "ˌ"})

Alignment = Sequence[tuple[str, int]]  # (phoneme, samples) for one chunk of audio


@dataclass(frozen=True)
class TimedPhoneme:
    phoneme: str
    start: int  # samples from the sentence's first sample
    end: int
    after_gap: bool  # a word gap or a pause comes just before it: a word may start here


def is_spoken(phoneme: str) -> bool:
    """Whether a phoneme is a sound of a word: not a gap, a pause or a sentence mark."""
    if phoneme in _MARKS:
        return False
    return not all(unicodedata.category(c)[0] in "PZ" for c in phoneme)


def match_keys(phonemes: Iterable[str]) -> list[str]:
    """The phonemes that take part in the match: spoken ones, without stress marks."""
    return [p for p in phonemes if is_spoken(p) and p not in _STRESS]


def timed_phonemes(chunks: Iterable[tuple[int, Alignment]]) -> list[TimedPhoneme]:
    """The spoken phonemes of a sentence with their samples, from each chunk's alignment.

    ``chunks``: per chunk of audio (espeak splits a sentence at some marks),
    its length in samples and its (phoneme, samples) pairs. Each chunk's
    phonemes are placed after the samples of the chunks before it.
    """
    timed: list[TimedPhoneme] = []
    offset = 0
    for length, alignment in chunks:
        position, stressed_from, gap = offset, None, True
        for phoneme, samples in alignment:
            begin, position = position, position + samples
            if not is_spoken(phoneme):
                stressed_from, gap = None, True
            elif phoneme in _STRESS:
                stressed_from = begin if stressed_from is None else stressed_from
            else:
                start = begin if stressed_from is None else stressed_from
                timed.append(TimedPhoneme(phoneme, start, position, gap))
                stressed_from, gap = None, False
        offset += length
    return timed


def owners(
    token_phonemes: Sequence[Sequence[str]], timed: Sequence[TimedPhoneme]
) -> list[int | None]:
    """For each timed phoneme, the index of the token that owns it (None: no token at all).

    Owners never decrease along the sentence, so the tokens' spans cannot overlap.
    """
    keys, key_owner = [], []
    for index, phonemes in enumerate(token_phonemes):
        for key in match_keys(phonemes):
            keys.append(key)
            key_owner.append(index)
    owned: list[int | None] = [None] * len(timed)
    matcher = SequenceMatcher(None, [t.phoneme for t in timed], keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            owned[i1:i2] = key_owner[j1:j2]
        elif tag == "replace":
            # Said differently than alone: the timed phonemes are shared in order
            # between the tokens' phonemes they replace.
            for i in range(i1, i2):
                owned[i] = key_owner[j1 + (i - i1) * (j2 - j1) // (i2 - i1)]
        # "delete": phonemes the tokens alone do not have, given to a neighbour below;
        # "insert": a token's phonemes the voice did not say.
    _give_to_neighbours(owned, timed)
    return owned


def _give_to_neighbours(owned: list[int | None], timed: Sequence[TimedPhoneme]) -> None:
    """Owners for the phonemes only the voice said: the word before them, or the one after.

    A run of them goes to the word before up to the first word gap in it, and
    to the word after from there.
    """
    index = 0
    while index < len(owned):
        if owned[index] is not None:
            index += 1
            continue
        end = index
        while end < len(owned) and owned[end] is None:
            end += 1
        before = owned[index - 1] if index else None
        after = owned[end] if end < len(owned) else None
        split = next((i for i in range(index, end) if timed[i].after_gap), end)
        if before is None:
            split = index
        elif after is None:
            split = end
        owned[index:split] = [before] * (split - index)
        owned[split:end] = [after] * (end - split)
        index = end


def word_spans(
    token_phonemes: Sequence[Sequence[str]],
    timed: Sequence[TimedPhoneme],
    sample_rate: int,
    weights: Sequence[float],
) -> list[WordSpan]:
    """Each token's (start, end) in seconds from the sentence's first sample.

    ``token_phonemes``: each written word's phonemes, said alone; ``weights``:
    how long each takes to say, for the words the match cannot place.
    """
    spans: list[tuple[int, int] | None] = [None] * len(token_phonemes)
    for phoneme, owner in zip(timed, owners(token_phonemes, timed), strict=True):
        if owner is not None:
            span = spans[owner]
            spans[owner] = (phoneme.start if span is None else span[0], phoneme.end)
    seconds = [None if s is None else (s[0] / sample_rate, s[1] / sample_rate) for s in spans]
    start = timed[0].start / sample_rate if timed else 0.0
    end = timed[-1].end / sample_rate if timed else 0.0
    return fill_unplaced(seconds, weights, start, end)
