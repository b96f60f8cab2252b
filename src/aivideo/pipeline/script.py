"""The script stage: the user's text becomes scenes of sentences worth narrating.

Markdown leftovers are cleaned up first: headings and list items become
sentences of their own, emphasis and links become plain words, and rules
(``---``) and blank lines only separate scenes — they are never spoken and
never count as time.
"""

from __future__ import annotations

import re

import pysbd

from aivideo.core.errors import InvalidInput
from aivideo.core.script import Scene, Script, is_speakable

# A scene is what one background shows: a paragraph, cut down to this many
# sentences so that the picture changes every 10-20 seconds.
MAX_SENTENCES_PER_SCENE = 3

_RULE = re.compile(r"^\s*([-*_=~])(\s*\1){2,}\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_SPACES = re.compile(r"[ \t\u00a0]+")
_ENDS_SENTENCE = re.compile(r"[.!?…:;。！？]['\"”’)\]]*$")


def _plain(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    for _ in range(3):  # nested emphasis: ***bold italic***
        line = _EMPHASIS.sub(r"\2", line)
    return _SPACES.sub(" ", line).strip()


def _as_sentence(text: str) -> str:
    """A heading or list item, ended like a sentence so the voice pauses after it."""
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs of cleaned text pieces; headings and list items stand alone."""
    paragraphs: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip() or _RULE.match(raw):
            paragraphs.append([])
            continue
        raw = _QUOTE.sub("", raw)
        if heading := _HEADING.match(raw):
            paragraphs.append([_as_sentence(_plain(heading.group(1)))])
            paragraphs.append([])
        elif item := _LIST_ITEM.match(raw):
            paragraphs[-1].append(_as_sentence(_plain(item.group(1))))
        else:
            paragraphs[-1].append(_plain(raw))
    return [p for p in paragraphs if any(is_speakable(piece) for piece in p)]


_segmenter = pysbd.Segmenter(language="en", clean=False)


def _sentences(pieces: list[str]) -> list[str]:
    sentences = []
    for piece in pieces:
        for sentence in _segmenter.segment(piece):
            sentence = sentence.strip()
            if is_speakable(sentence):
                sentences.append(sentence)
    return sentences


def write_script(text: str, title: str | None = None) -> Script:
    """Split ``text`` into scenes and sentences.

    Raises:
        InvalidInput: the text has nothing a voice could say.
    """
    scenes = []
    for paragraph in _paragraphs(text):
        # List items and lines of one paragraph are sentences of their own.
        sentences = _sentences(paragraph)
        for start in range(0, len(sentences), MAX_SENTENCES_PER_SCENE):
            scenes.append(Scene(sentences[start : start + MAX_SENTENCES_PER_SCENE]))
    if not scenes:
        raise InvalidInput(
            "the text has nothing to narrate: it needs words or numbers, "
            "not only emoji, punctuation or markup"
        )
    title = _plain(title) if title else None
    return Script(title if title and is_speakable(title) else None, scenes)
