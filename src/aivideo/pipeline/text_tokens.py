"""How a text is cut into words: at spaces, and Japanese and Chinese, written without, into phrases.

A token is what captions light one at a time, what word timings time and where
lines break. BudouX (Google's phrase segmenter, Apache-2.0) cuts text without
spaces into the phrases a line may break between: 今日は|いい|天気です。 Tokens
of one phrase-cut word are shown joined, without spaces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import budoux

from aivideo.pipeline.scripts_of_text import (
    display_width,
    is_unspaced,
    may_break_between,
    uses_kana,
)

# Loaded when the module is imported (a few milliseconds, two small JSON models),
# so no caption or timing ever reads them from disk on the event loop.
_JAPANESE = budoux.load_default_japanese_parser()
_CHINESE = budoux.load_default_simplified_chinese_parser()


@dataclass(frozen=True)
class Token:
    """A word as written, punctuation attached, or a phrase of a text without spaces."""

    text: str
    spaced: bool = True  # shown after a space; False: right after the token before it


def text_tokens(text: str) -> list[Token]:
    """The tokens of ``text``: its words between spaces, Japanese and Chinese cut into phrases."""
    parser = _JAPANESE if uses_kana(text) else _CHINESE
    tokens = []
    for word in text.split():
        phrases = parser.parse(word) if is_unspaced(word) else [word]
        tokens += [Token(phrase, spaced=k == 0) for k, phrase in enumerate(phrases)]
    return tokens


def joined(tokens: Sequence[Token]) -> str:
    """The tokens as shown on one line: a space before each spaced one but the first."""
    return "".join(
        (" " if k and token.spaced else "") + token.text for k, token in enumerate(tokens)
    )


def shown_width(tokens: Sequence[Token]) -> int:
    """How wide the tokens show on one line, in Latin letters (see ``display_width``)."""
    spaces = sum(token.spaced for token in tokens[1:])
    return sum(display_width(token.text) for token in tokens) + spaces


def cut_to_width(text: str, width: int) -> list[str]:
    """``text`` in parts at most ``width`` wide (a word too long for a line), cut between letters.

    Never inside a letter with its marks (see ``may_break_between``), so a part
    may be a little wider where a letter is.
    """
    parts = [text[:1]]
    for before, character in zip(text, text[1:], strict=False):
        if display_width(parts[-1] + character) > width and may_break_between(before, character):
            parts.append("")
        parts[-1] += character
    return [part for part in parts if part]


def _fitted(tokens: Sequence[Token], width: int) -> list[Token]:
    """The tokens, each too wide for a line cut into parts joined to one another."""
    fitted = []
    for token in tokens:
        for k, part in enumerate(cut_to_width(token.text, width)):
            fitted.append(Token(part, token.spaced and k == 0))
    return fitted


def _filled(tokens: Sequence[Token], width: int) -> list[list[Token]]:
    """Lines filled greedily with tokens up to ``width`` (a wider token alone on its line)."""
    lines: list[list[Token]] = [[]]
    for token in tokens:
        if lines[-1] and shown_width([*lines[-1], token]) > width:
            lines.append([])
        lines[-1].append(token)
    return [line for line in lines if line]


def wrap_lines(text: str, width: int) -> list[str]:
    """Wrap to at most ``width`` (in Latin letters), in as few lines as that allows, of even length.

    "one two three four five / six" reads worse than "one two three / four five six".
    """
    tokens = _fitted(text_tokens(text), width)
    if not tokens:
        return [text]
    fewest = _filled(tokens, width)
    for narrower in range(math.ceil(shown_width(tokens) / len(fewest)), width):
        lines = _filled(tokens, narrower)
        if len(lines) <= len(fewest):
            return [joined(line) for line in lines]
    return [joined(line) for line in fewest]
