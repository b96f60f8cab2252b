"""The emoji that can be chosen in a language, indexed by the lemmas of their names.

Built once per process and language from the emoji package's names (English
with its aliases, or one of 13 other languages) and kept: for English 0.15 s and
3 MB, once simplemma has loaded its dictionary (0.4 s and 24 MB more).

Three ways in, from sure to loose:

- a **phrase**: every word of a name, in order, written in the text ("woman
  scientist", "flag of France", "no smoking"). Only this way reaches skin-tone
  and gender variants, flags, and names that say *not* (🚱 "non-potable water").
- an **exact name**: the name is this one word once stopwords are gone ("sun").
- a **pair**: both words of a two-word name, anywhere in the scene ("a drop
  of blood", "blood drops"), for a word that has no better way in. One word
  alone is not enough: "pile" is no 💩 "pile of poo", "place" no 🛐 "place of
  worship".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import emoji

from aivideo.pipeline.pictograms.art import has_art
from aivideo.pipeline.pictograms.languages import (
    INSIDE_TEXT_LANGUAGES,
    NAMED_LANGUAGES,
)
from aivideo.pipeline.pictograms.stopwords import stopwords
from aivideo.pipeline.pictograms.words import lemma

_FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
_NAME_WORD = re.compile(r"[^\W\d_]+")
# English name words that turn a name against its other words: 🚱 "non-potable
# water" is no picture of water, 💔 "broken heart" none of love.
_NEGATIONS = frozenset("no non not prohibited forbidden without off broken muted slash".split())
# Signs and buttons ("NEW button", "SOON arrow"): pictures of a word, not of a topic.
_SIGN_WORDS = frozenset({"button", "arrow", "keycap"})
# Left out of phrases on both sides, so "the flag of France" is "flag France".
PHRASE_FILLERS = frozenset({"a", "an", "the", "of", "for"})
_SKIN_TONES = range(0x1F3FB, 0x1F400)
_GENDERED = frozenset("\u2640\u2642\U0001f468\U0001f469")  # ♀ ♂ man woman
_ZWJ = "\u200d"

EXACT_NAME, EXACT_ALIAS, PAIR = 0.9, 0.85, 0.5


@dataclass(frozen=True)
class Candidate:
    """An emoji a word or phrase can call up, with how sure that is (0-1)."""

    emoji: str
    label: str
    quality: float


@dataclass
class Catalogue:
    """One language's index: lemma -> candidates (best first), first lemma -> phrases."""

    language: str
    by_word: dict[str, list[Candidate]] = field(default_factory=dict)
    # lemma -> (the other word of a two-word name, its candidate)
    pairs: dict[str, list[tuple[str, Candidate]]] = field(default_factory=dict)
    phrases: dict[str, list[tuple[tuple[str, ...], Candidate]]] = field(default_factory=dict)
    # For languages read inside the text: (name, candidate), longest name first.
    inside_text: list[tuple[str, Candidate]] = field(default_factory=list)


def label_of(name: str) -> str:
    """ ":sun_behind_cloud:" -> "sun behind cloud"."""
    return name.strip(":").replace("_", " ")


def is_variant(emoji_text: str) -> bool:
    """A skin tone, a man or woman version of a person, or a flag."""
    points = [ord(c) for c in emoji_text]
    if any(p in _SKIN_TONES for p in points):
        return True
    if _ZWJ in emoji_text and any(c in _GENDERED for c in emoji_text):
        return True
    return _is_flag(points)


def _is_flag(points: list[int]) -> bool:
    regional = all(0x1F1E6 <= p <= 0x1F1FF for p in points) and len(points) == 2
    tagged = points[0] == 0x1F3F4 and any(0xE0020 <= p <= 0xE007F for p in points)
    return regional or tagged


def _english_words(data: dict[str, object]) -> set[str]:
    return set(_NAME_WORD.findall(str(data["en"]).lower()))


@cache
def catalogue(language: str) -> Catalogue:
    """The index of ``language`` (one of emoji.LANGUAGES), built on first use."""
    if language not in NAMED_LANGUAGES:
        raise ValueError(f"emoji has no names in {language!r}")
    if language != "en":
        emoji.load_from_json(language)  # reads the names once into emoji.EMOJI_DATA
    built = Catalogue(language)
    for emoji_text, data in sorted(emoji.EMOJI_DATA.items(), key=_familiar_first):
        if data["status"] != _FULLY_QUALIFIED or language not in data or not has_art(emoji_text):
            continue
        names = _names(emoji_text, data, language)
        label = label_of(names[0])
        english = _english_words(data)
        only_by_phrase = (
            is_variant(emoji_text) or bool(english & _NEGATIONS) or bool(english & _SIGN_WORDS)
        )
        if language in INSIDE_TEXT_LANGUAGES:
            if not only_by_phrase:
                _add_inside_text(built, names[0], Candidate(emoji_text, label, EXACT_NAME))
            continue
        for position, name in enumerate(names):
            quality = EXACT_NAME if position == 0 else EXACT_ALIAS
            candidate = Candidate(emoji_text, label, quality)
            lemmas = [_name_lemma(word, language) for word in _NAME_WORD.findall(name)]
            _add_phrase(built, lemmas, candidate)
            if not only_by_phrase:
                _add_word(built, lemmas, candidate)
    _best_first(built)
    return built


def _best_first(built: Catalogue) -> None:
    """Each list best first; sorts are stable, so the familiar emoji first among equals."""
    for word, candidates in built.by_word.items():
        best: dict[str, Candidate] = {}
        for candidate in sorted(candidates, key=lambda c: -c.quality):
            best.setdefault(candidate.emoji, candidate)
        built.by_word[word] = list(best.values())
    for phrases in built.phrases.values():
        phrases.sort(key=lambda entry: -len(entry[0]))
    built.inside_text.sort(key=lambda entry: -len(entry[0]))


def _familiar_first(item: tuple[str, dict[str, object]]) -> tuple[float, str]:
    """Older emoji first (the better known), then in code point order: a stable index."""
    version = item[1]["E"]
    return (float(version) if isinstance(version, int | float) else 99.0, item[0])


def _name_lemma(word: str, language: str) -> str:
    # German names are in lower case, but simplemma reads "sonne" as the verb
    # "sonnen": a capital makes it the noun, as the text writes it.
    return lemma(word.capitalize() if language == "de" else word, language)


def _names(emoji_text: str, data: dict[str, object], language: str) -> list[str]:
    names = [str(data[language])]
    if language == "en":
        aliases = data.get("alias")
        names += [str(alias) for alias in aliases] if isinstance(aliases, list) else []
        if _is_flag([ord(c) for c in emoji_text]):
            names.append("flag " + names[0])
    return names


def _add_phrase(built: Catalogue, lemmas: list[str], candidate: Candidate) -> None:
    phrase = tuple(word for word in lemmas if word not in PHRASE_FILLERS)
    if len(phrase) >= 2:
        built.phrases.setdefault(phrase[0], []).append((phrase, candidate))


def _add_word(built: Catalogue, lemmas: list[str], candidate: Candidate) -> None:
    """Index a name by its one word, or a two-word name as a pair."""
    ignored = stopwords(built.language)
    content = [word for word in lemmas if len(word) > 1 and word not in ignored]
    if len(content) == 1:
        built.by_word.setdefault(content[0], []).append(candidate)
    elif len(content) == 2 and content[0] != content[1]:
        pair = Candidate(candidate.emoji, candidate.label, PAIR)
        built.pairs.setdefault(content[0], []).append((content[1], pair))
        built.pairs.setdefault(content[1], []).append((content[0], pair))


def _add_inside_text(built: Catalogue, name: str, candidate: Candidate) -> None:
    # Spaces in Korean names; Japanese and Chinese ones join their parts with "_".
    written = label_of(name) if built.language == "ko" else name.strip(":").replace("_", "")
    if len(written) >= 2:  # one character is too often part of another word
        built.inside_text.append((written, candidate))
