"""What a text is written in: each character's script, which way the text runs, how wide it shows.

Scripts are Unicode's, as ISO 15924 codes (``Latn``, ``Arab``, ``Hani``, ``Hira``),
from fontTools' copy of the Unicode Character Database. A character several
scripts share (``。`` in Chinese and Japanese) belongs to each of them; one that
every script uses (digits, spaces, ``.``) to none.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from fontTools import unicodedata as unicode_scripts

_COMMON = frozenset({"Zyyy", "Zinh", "Zzzz"})  # common, inherited (marks), unknown
KANA = frozenset({"Hira", "Kana"})
# Written without spaces between words: lines break between phrases instead.
UNSPACED = KANA | {"Hani"}
_VIRAMA = 9  # the combining class of a virama: it joins the consonants around it


@lru_cache(maxsize=8192)  # a text uses few characters, many times
def scripts(character: str) -> frozenset[str]:
    """The scripts ``character`` is written in; none for one that every script uses."""
    return frozenset(unicode_scripts.script_extension(character)) - _COMMON


def uses_kana(text: str) -> bool:
    """Whether ``text`` is Japanese: it has hiragana or katakana (Chinese has neither)."""
    return not text.isascii() and any(scripts(character) & KANA for character in text)


def is_unspaced(text: str) -> bool:
    """Whether ``text`` has characters of scripts written without spaces (Japanese, Chinese)."""
    return not text.isascii() and any(scripts(character) & UNSPACED for character in text)


def belongs_to_previous(character: str) -> bool:
    """A mark, joiner or direction mark: drawn with the character before it, never apart."""
    return unicodedata.category(character) in ("Mn", "Mc", "Me", "Cf")


def may_break_between(before: str, after: str) -> bool:
    """Whether a too long word may be cut between these two characters.

    Not before a mark (an accent, a vowel sign), nor after a virama or a joiner,
    which bind the letters around them into one.
    """
    return not (
        belongs_to_previous(after)
        or unicodedata.combining(before) == _VIRAMA
        or before in ("\u200c", "\u200d")
    )


def is_right_to_left(text: str) -> bool:
    """Whether most of the letters of ``text`` run right to left (Arabic, Hebrew)."""
    classes = [unicodedata.bidirectional(character) for character in text]
    return sum(c in ("R", "AL") for c in classes) > sum(c == "L" for c in classes)


def has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(character) in ("R", "AL") for character in text)


@lru_cache(maxsize=8192)  # captions measure the same words again and again as they lay out
def display_width(text: str) -> int:
    """How wide ``text`` shows, in Latin letters: a Chinese or Japanese character is two.

    Marks drawn on a letter (accents, most vowel signs) and invisible joiners take none.
    """
    if text.isascii():  # most captions: no need to look at each letter
        return len(text)
    return sum(_character_width(character) for character in text)


def _character_width(character: str) -> int:
    if unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1
