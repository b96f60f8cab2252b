"""Choosing a scene's pictograms: the emoji its words name, the most telling first.

Emoji the text itself holds come first (the writer chose them), in any language.
Then names written out in full, and each telling word's best candidate: our
topic table before the emoji names. An emoji is scored by the weight of the best
word that called it up, plus half that of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import emoji

from aivideo.pipeline.pictograms.art import has_art
from aivideo.pipeline.pictograms.catalogue import (
    PHRASE_FILLERS,
    Candidate,
    Catalogue,
    catalogue,
    label_of,
)
from aivideo.pipeline.pictograms.inside_text import names_inside
from aivideo.pipeline.pictograms.languages import INSIDE_TEXT_LANGUAGES, NAMED_LANGUAGES
from aivideo.pipeline.pictograms.pictogram import Pictogram
from aivideo.pipeline.pictograms.topics import topic_labels, topic_pictograms
from aivideo.pipeline.pictograms.words import Word, rank_words, scene_words

_FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
TOPIC_WORD = 1.0
PHRASE_BONUS = 1.2  # a name written out in full is the surest match


@dataclass
class _Score:
    label: str
    best: float  # the best single word or phrase that called it up
    total: float  # all of them
    first: int  # where in the text it was first called up

    @property
    def score(self) -> float:
        # More words for one emoji count, but less than one more emoji would:
        # "lakes and rivers" is one river scene, not twice one.
        return self.best + 0.5 * (self.total - self.best)


def choose_pictograms(text: str, language: str = "en", limit: int = 3) -> list[Pictogram]:
    """Up to ``limit`` distinct pictograms for a scene's ``text``, best first.

    Emoji written in the text come first, in any language; words count in the 14
    languages the emoji package names emoji in. [] when nothing fits.
    Deterministic. CPU work (the first call in a process builds the language's
    index): run it in the process pool.
    """
    chosen = _written_emoji(text, language)
    if language in NAMED_LANGUAGES and len(chosen) < limit:
        taken = {pictogram.emoji for pictogram in chosen}
        for pictogram in _named_in_words(text, catalogue(language)):
            if pictogram.emoji not in taken:
                chosen.append(pictogram)
                taken.add(pictogram.emoji)
    return chosen[: max(limit, 0)]


def drawn_pictograms(emoji_texts: Sequence[str], language: str = "en") -> list[Pictogram]:
    """The given emoji that Twemoji draws, fully qualified, each once, in order, with labels."""
    return _written_emoji(" ".join(emoji_texts), language)


def _written_emoji(text: str, language: str) -> list[Pictogram]:
    """The emoji in ``text`` that can be drawn, each once, in order."""
    found: list[Pictogram] = []
    for match in emoji.emoji_list(text):
        emoji_text = _drawable(match["emoji"])
        if emoji_text and all(p.emoji != emoji_text for p in found):
            found.append(Pictogram(emoji_text, _label(emoji_text, language)))
    return found


def _label(emoji_text: str, language: str) -> str:
    """Our topic label (🌍 "earth", "tierra"), else the emoji's name in ``language``."""
    if label := topic_labels(language).get(emoji_text):
        return label
    if language in NAMED_LANGUAGES:
        catalogue(language)  # the emoji package reads a language's names on first use
    data = emoji.EMOJI_DATA[emoji_text]
    return label_of(str(data.get(language, data["en"])))


def _drawable(emoji_text: str) -> str | None:
    """``emoji_text`` fully qualified ("☀" is "☀️"), if Twemoji draws it."""
    for form in (emoji_text, emoji_text + "\ufe0f"):
        data = emoji.EMOJI_DATA.get(form)
        if data and data["status"] == _FULLY_QUALIFIED and has_art(form):
            return form
    return emoji_text if emoji_text in emoji.EMOJI_DATA and has_art(emoji_text) else None


def _named_in_words(text: str, index: Catalogue) -> list[Pictogram]:
    if index.language in INSIDE_TEXT_LANGUAGES:
        scores = _named_inside_text(text, index)
    else:
        scores = _named_by_words(scene_words(text, index.language), index)
    ranked = sorted(scores.items(), key=lambda item: (-item[1].score, item[1].first, item[0]))
    return [Pictogram(emoji_text, score.label) for emoji_text, score in ranked]


def _named_by_words(words: list[Word], index: Catalogue) -> dict[str, _Score]:
    scores: dict[str, _Score] = {}
    phrased = _add_phrases(words, index, scores)
    topics = topic_pictograms(index.language)
    telling = rank_words(words)
    lemmas = {word.lemma for word in telling}
    for word in telling:
        if word.lemma in phrased:
            continue
        topic = topics.get(word.surface.lower()) or topics.get(word.lemma)
        if topic:
            best = Candidate(topic[0], topic[1], TOPIC_WORD)
        elif candidates := index.by_word.get(word.lemma):
            best = candidates[0]
        elif pair := _pair(index, word.lemma, lemmas):
            best = pair
        else:
            continue
        _add(scores, best, word.weight * best.quality, word.first)
    return scores


def _pair(index: Catalogue, lemma: str, lemmas: set[str]) -> Candidate | None:
    """A two-word name whose other word the scene has too."""
    return next((c for other, c in index.pairs.get(lemma, []) if other in lemmas), None)


def _add_phrases(words: list[Word], index: Catalogue, scores: dict[str, _Score]) -> set[str]:
    """Score the names written out in full; return the lemmas they used up."""
    sequence = [w for w in words if w.lemma not in PHRASE_FILLERS]
    used: set[str] = set()
    position = 0
    while position < len(sequence):
        length = 1
        for phrase, candidate in index.phrases.get(sequence[position].lemma, []):
            span = sequence[position : position + len(phrase)]
            if tuple(w.lemma for w in span) == phrase:
                weight = sum(w.weight for w in span) or 1.0
                _add(scores, candidate, weight * PHRASE_BONUS, span[0].order)
                used.update(w.lemma for w in span if w.content)
                length = len(phrase)
                break
        position += length
    return used


def _named_inside_text(text: str, index: Catalogue) -> dict[str, _Score]:
    scores: dict[str, _Score] = {}
    for found in names_inside(text, index):
        _add(scores, found.candidate, len(found.name) * found.candidate.quality, found.start)
    return scores


def _add(scores: dict[str, _Score], candidate: Candidate, score: float, first: int) -> None:
    known = scores.get(candidate.emoji)
    if known is None:
        scores[candidate.emoji] = _Score(candidate.label, score, score, first)
        return
    if score > known.best:
        known.best, known.label = score, candidate.label
    known.total += score
    known.first = min(known.first, first)
