"""Markdown leftovers cleaned off the user's text, line by line.

Headings and list items become sentences of their own, emphasis and links
become plain words, images disappear, and rules (``---``) and blank lines only
separate paragraphs. The text is the user's, so every step costs time linear in
its length, however the text was built (it runs in a thread, and a regular
expression that backtracks holds the GIL: the event loop stalls with it).
"""

from __future__ import annotations

import re

from aivideo.core.script import is_speakable
from aivideo.pipeline.emphasis import remove_emphasis

# Each pattern costs time linear in the line, however hostile the line: no two
# repeats can match the same characters, and a bracket's text or a link's target
# stops at the next bracket, so no opener scans the rest of the line in vain.
_RULE_CHARACTERS = frozenset("-*_=~")
_HEADING = re.compile(r"\s{0,3}#{1,6}\s+")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s*>\s?")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^)\[\]]*\)")
_LINK = re.compile(r"\[([^\[\]]+)\]\([^)\[\]]*\)")
_SPACES = re.compile(r"[ \t\u00a0]+")
_ENDS_SENTENCE = re.compile(r"[.!?…:;。！？]['\"”’)\]]*$")


def plain(line: str) -> str:
    """``line`` without emphasis, links, images and runs of spaces."""
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    for _ in range(3):  # nested emphasis: ***bold italic***
        line, before = remove_emphasis(line), line
        if line == before:
            break
    return _SPACES.sub(" ", line).strip()


def _is_rule(line: str) -> bool:
    """``---``, ``* * *``, ``===``...: three or more of one rule character, and spaces."""
    marks = "".join(line.split())
    return len(marks) >= 3 and marks[0] in _RULE_CHARACTERS and marks == marks[0] * len(marks)


def _heading_text(line: str) -> str | None:
    """The words of a ``# heading`` (its closing ``###`` dropped), or None if it is not one."""
    opening = _HEADING.match(line)
    if opening is None:
        return None
    return line[opening.end() :].rstrip().rstrip("#").rstrip()


def _as_sentence(text: str) -> str:
    """A heading or list item, ended like a sentence so the voice pauses after it."""
    return text if _ENDS_SENTENCE.search(text) else f"{text}."


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs of cleaned text pieces; headings and list items stand alone."""
    found: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip() or _is_rule(raw):
            found.append([])
            continue
        raw = _QUOTE.sub("", raw)
        if (heading := _heading_text(raw)) is not None:
            found.append([_as_sentence(plain(heading))])
            found.append([])
        elif item := _LIST_ITEM.match(raw):
            found[-1].append(_as_sentence(plain(item.group(1))))
        else:
            found[-1].append(plain(raw))
    return [p for p in found if any(is_speakable(piece) for piece in p)]
