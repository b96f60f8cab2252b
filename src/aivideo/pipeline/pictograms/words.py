"""A scene's words, lemmatized, and how telling each one is.

A word tells more when it is longer (long words are the rarer ones), repeated,
early in its sentence (where the subject is) and, in English, not a verb form:
"The sun heats the ocean" is about the sun and the ocean, less about heating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import simplemma

from aivideo.pipeline.pictograms.languages import WORD_LANGUAGES
from aivideo.pipeline.pictograms.stopwords import stopwords

# Letters only: digits, punctuation and emoji end a word; "non-potable" is two words.
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?;:…。！？]+(?:\s|$)|\n")
# Longer than any real word: not worth a dictionary look-up.
_LONGEST_WORD = 40


@dataclass(frozen=True)
class Word:
    """One word of a scene, as written and as its lower-case lemma."""

    surface: str
    lemma: str
    sentence: int  # which sentence of the scene
    order: int  # position among the scene's words
    content: bool  # not a stopword
    verb: bool  # looks like a verb (English only)
    follows: bool  # only a space between it and the word before
    weight: float  # how telling this occurrence is (0 for a stopword)


@dataclass(frozen=True)
class TellingWord:
    """A lemma of a scene with its weight over all its occurrences."""

    lemma: str
    surface: str  # its first occurrence, as written
    weight: float
    first: int  # order of its first occurrence


@lru_cache(maxsize=65_536)
def lemma(word: str, language: str) -> str:
    """``word``'s lemma in lower case (simplemma capitalises German nouns)."""
    return simplemma.lemmatize(word, lang=language).lower()


def scene_words(text: str, language: str) -> list[Word]:
    """The words of ``text``, in order, each weighed; [] for a language we cannot read."""
    if language not in WORD_LANGUAGES:
        return []
    words: list[Word] = []
    for sentence, sentence_text in enumerate(_SENTENCE_END.split(text)):
        words += _sentence_words(sentence_text, sentence, len(words), language)
    return words


def _sentence_words(text: str, sentence: int, first: int, language: str) -> list[Word]:
    ignored = stopwords(language)
    words: list[Word] = []
    previous_end, previous, previous_was_verb = -1, "", False
    content_seen = 0
    for match in _WORD.finditer(text):
        surface = match.group()
        if len(surface) > _LONGEST_WORD:
            continue
        lower = surface.lower()
        base = lemma(lower, language) if lower == surface else lemma(surface, language)
        content = len(lower) > 1 and lower not in ignored and base not in ignored
        follows = previous_end >= 0 and text[previous_end : match.start()].isspace()
        verb, weight = False, 0.0
        if content:
            verb = language == "en" and _looks_like_english_verb(
                lower, base, previous if follows else "", previous_was_verb, ignored
            )
            weight = _weight(base, content_seen, verb, lower.endswith("ly") and language == "en")
            content_seen += 1
        words.append(
            Word(surface, base, sentence, first + len(words), content, verb, follows, weight)
        )
        previous_end, previous, previous_was_verb = match.end(), lower, verb
    return words


def _looks_like_english_verb(
    word: str, base: str, previous: str, previous_was_verb: bool, ignored: frozenset[str]
) -> bool:
    """An inflected word right after a noun: "rain falls", "the sun heats".

    After a verb it is its object instead ("warms oceans"); after "the" a noun.
    """
    inflected = base != word and word.endswith(("s", "ed", "ing"))
    return inflected and bool(previous) and previous not in ignored and not previous_was_verb


def _weight(base: str, content_before: int, verb: bool, adverb: bool) -> float:
    length = 0.7 + 0.3 * min(len(base), 10) / 10
    subject = 1.25 if content_before < 2 and not verb else 1.0
    kind = 0.6 if verb else 0.5 if adverb else 1.0
    return length * subject * kind


def telling_words(text: str, language: str) -> list[TellingWord]:
    """The scene's content lemmas, most telling first (ties: first written first)."""
    return rank_words(scene_words(text, language))


def rank_words(words: list[Word]) -> list[TellingWord]:
    """``words``' content lemmas, most telling first: a repeated one counts more."""
    occurrences: dict[str, list[Word]] = {}
    for word in words:
        if word.content:
            occurrences.setdefault(word.lemma, []).append(word)
    telling = [
        TellingWord(
            lemma,
            found[0].surface,
            max(w.weight for w in found) * (1 + 0.5 * (min(len(found), 5) - 1)),
            found[0].order,
        )
        for lemma, found in occurrences.items()
    ]
    return sorted(telling, key=lambda t: (-t.weight, t.first))
