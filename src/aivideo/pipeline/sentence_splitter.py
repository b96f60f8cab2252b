"""Where sentences end, by the rules of their language.

pysbd knows about 20 languages, their abbreviations and numbers included
("Dr.", "z. B." and "3.50" end no sentence). Any other language is cut after
its closing punctuation: ``.``, ``!``, ``?`` and ``…`` followed by a space,
and ``。``, ``！``, ``？``, ``؟`` and the Devanagari ``।`` even without one
(Chinese and Japanese put none). A splitter gives pieces of its text, in
order, that together hold all of it but the spaces between them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pysbd
from pysbd.languages import LANGUAGE_CODES

from aivideo.core.languages import primary_language

Splitter = Callable[[str], list[str]]

# A full stop (or ! ? …) before a space, or a mark that needs none; closing quotes stay with it.
_CLOSERS = "\"'”“’»«)\\]」』）"  # “ and « close German and Danish quotes
_SENTENCE_END = re.compile(
    rf"[.!?…]+[{_CLOSERS}]*(?=\s)|[。！？؟।॥]+[{_CLOSERS}]*|[.!?…]+[{_CLOSERS}]*$"
)


def sentence_splitter(language: str) -> Splitter:
    """The sentence splitter for ``language`` (a BCP-47 tag: ``es``, ``de-DE``, ``ja``)."""
    primary = primary_language(language)
    return _pysbd(primary) if primary in LANGUAGE_CODES else split_at_punctuation


@functools.cache  # one per pysbd language: a few dozen at most
def _pysbd(language: str) -> Splitter:
    segmenter = pysbd.Segmenter(language=language, clean=False)

    def split(text: str) -> list[str]:
        sentences: list[str] = segmenter.segment(text)
        return sentences

    return split


def split_at_punctuation(text: str) -> list[str]:
    """``text`` cut after each sentence's closing punctuation (the fallback)."""
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        pieces.append(text[start : end.end()])
        start = end.end()
    if text[start:].strip():
        pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]
