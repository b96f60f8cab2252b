"""A scene's headline: a number it gives, else its most telling word or noun phrase."""

from __future__ import annotations

import re
from collections.abc import Callable

from aivideo.pipeline.pictograms.catalogue import catalogue
from aivideo.pipeline.pictograms.keywords import scene_keywords
from aivideo.pipeline.pictograms.languages import INSIDE_TEXT_LANGUAGES
from aivideo.pipeline.pictograms.topics import topic_pictograms
from aivideo.pipeline.pictograms.words import Word, scene_words, telling_words

# "70%", "1.5 billion", "$3", "2024", "-4 °C"; not the 2 of "CO2".
_NUMBER = re.compile(
    r"(?<![\w.,])[-−]?(?:[$€£¥]\s?)?\d+(?:[.,]\d+)*"
    r"(?:\s?%|\s?°\s?[CF]?|\s(?:percent|per cent|thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_LONGEST_PHRASE = 3


def headline(text: str, language: str = "en") -> str:
    """One to three words to show big over a scene; "" when the text has none.

    The first number the text gives wins (a number is what a viewer remembers);
    else the most telling word that names a pictogram (our best sign of a noun,
    without a tagger), with the nouns it runs on with ("the water cycle").
    """
    if number := _NUMBER.search(text):
        return number.group().strip()
    if language in INSIDE_TEXT_LANGUAGES:
        return next(iter(scene_keywords(text, language, limit=1)), "")
    telling = telling_words(text, language)
    if not telling:
        return ""
    index = catalogue(language)
    topics = topic_pictograms(language)

    def names_a_pictogram(word: Word) -> bool:
        return word.lemma in topics or word.lemma in index.by_word

    words = scene_words(text, language)
    best = next((t for t in telling if names_a_pictogram(words[t.first])), telling[0])
    occurrences = [w for w in words if w.lemma == best.lemma and w.content]
    phrases = [_noun_phrase(words, word, names_a_pictogram) for word in occurrences]
    return " ".join(w.surface for w in max(phrases, key=len))


def _noun_phrase(words: list[Word], word: Word, is_noun: Callable[[Word], bool]) -> list[Word]:
    """The run of nouns around ``word``, if it stands alone between stopwords or stops.

    "the water cycle," is one; "students learn faster" is not (faster is no noun,
    so learn may be a verb).
    """
    first = last = word.order
    while first > 0 and _runs_on(words[first - 1], words[first], is_noun):
        first -= 1
    while last + 1 < len(words) and _runs_on(words[last], words[last + 1], is_noun):
        last += 1
    run = words[first : last + 1]
    before_ok = first == 0 or not _runs_on_any(words[first - 1], words[first])
    after_ok = last + 1 == len(words) or not _runs_on_any(words[last], words[last + 1])
    if len(run) <= _LONGEST_PHRASE and before_ok and after_ok:
        return run
    return [word]


def _runs_on(before: Word, after: Word, is_noun: Callable[[Word], bool]) -> bool:
    return _runs_on_any(before, after) and all(
        w.content and not w.verb and is_noun(w) for w in (before, after)
    )


def _runs_on_any(before: Word, after: Word) -> bool:
    """Content words with only a space between, in one sentence."""
    return after.follows and after.sentence == before.sentence and before.content and after.content
