"""Burned captions: pages of one or two lines, with the word being spoken highlighted.

A sentence is laid out in pages that fit the frame (a word too long for a line
is broken into pieces, so nothing runs off screen); Japanese and Chinese, which
have no spaces, are laid out in phrases (``text_tokens``), joined on a line. In
karaoke style a page is shown as one caption per spoken word, that word in the
highlight colour, from when the voice starts it until it starts the next; in
sentence style the subtitle cues are shown as they are. libass draws them all
inside ffmpeg (``overlay_text``), so no picture is painted per caption.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from aivideo.core.options import Aspect, CaptionStyle
from aivideo.core.script import is_speakable
from aivideo.pipeline.scripts_of_text import display_width
from aivideo.pipeline.speech.narration import Narration, SpokenSentence
from aivideo.pipeline.speech.spoken_audio import word_tokens
from aivideo.pipeline.subtitles import Cue, chars_per_line
from aivideo.pipeline.text_tokens import Token, cut_to_width, text_tokens

MAX_LINES = 2
# A page stays up through a pause this short, so captions do not flicker between words.
HOLD = 0.4


@dataclass(frozen=True)
class Piece:
    """A token as shown on a line, or a part of one too long for a line."""

    text: str
    word: int | None  # which of the sentence's spoken words it belongs to; None: not a word
    spaced: bool = True  # after a space on its line; False: joined to the piece before (Japanese)


@dataclass(frozen=True)
class Caption:
    start: float
    end: float
    lines: list[list[Piece]]
    highlighted: int | None = None  # the sentence's word being spoken, if any


def _pieces(tokens: list[Token], width: int) -> list[Piece]:
    """Each token with its word number; a token wider than a line cut to fit."""
    pieces: list[Piece] = []
    words_so_far = 0
    for token in tokens:
        number = None
        if is_speakable(token.text):  # the rule of word_tokens: emoji and lone dashes are not words
            number, words_so_far = words_so_far, words_so_far + 1
        for k, part in enumerate(cut_to_width(token.text, width)):
            pieces.append(Piece(part, number, spaced=token.spaced and k == 0))
    return pieces


def _letters_per_word(lines: list[list[Piece]]) -> Counter[int]:
    """How many letters of each word these lines show."""
    letters = Counter[int]()
    for line in lines:
        for piece in line:
            if piece.word is not None:
                letters[piece.word] += len(piece.text)
    return letters


def _length(pieces: list[Piece]) -> int:
    """How wide the pieces show on one line, in Latin letters (a CJK character is two)."""
    spaces = sum(piece.spaced for piece in pieces[1:])
    return sum(display_width(piece.text) for piece in pieces) + spaces


def _two_lines(pieces: list[Piece], width: int) -> list[list[Piece]]:
    """One line if it fits, else the split into two lines whose longer one is shortest."""
    if _length(pieces) <= width or len(pieces) == 1:
        return [pieces]
    best = min(
        range(1, len(pieces)),
        key=lambda cut: max(_length(pieces[:cut]), _length(pieces[cut:])),
    )
    return [pieces[:best], pieces[best:]]


def _pages(tokens: list[Token], width: int) -> list[list[list[Piece]]]:
    """Pages of at most two lines of at most ``width`` Latin letters, of similar length."""
    pieces = _pieces(tokens, width)
    if not pieces:
        return []
    count = math.ceil(_length(pieces) / (width * MAX_LINES))
    while True:
        target = _length(pieces) / count
        groups: list[list[Piece]] = [[]]
        for piece in pieces:
            if groups[-1] and _length([*groups[-1], piece]) > target and len(groups) < count:
                groups.append([])
            groups[-1].append(piece)
        pages = [_two_lines(group, width) for group in groups]
        if all(len(line) == 1 or _length(line) <= width for page in pages for line in page):
            return pages
        count += 1  # an uneven cut left a line too long: one more page


def _karaoke(sentence: SpokenSentence, width: int, next_start: float) -> list[Caption]:
    if len(word_tokens(sentence.text)) != len(sentence.words) or not sentence.words:
        return []  # no word times that fit the text: the caller shows it as a sentence
    pages = _pages(text_tokens(sentence.text), width)
    # A word broken over two pages is lit on each in turn, for its share of letters.
    letters = _letters_per_word([line for page in pages for line in page])
    said = Counter[int]()
    moments: list[tuple[float, float, list[list[Piece]], int]] = []
    for page in pages:
        on_page = _letters_per_word(page)
        for number in on_page:  # in the order the page shows them
            word = sentence.words[number]
            length = word.end - word.start
            start = word.start + length * said[number] / letters[number]
            said[number] += on_page[number]
            moments.append(
                (start, word.start + length * said[number] / letters[number], page, number)
            )
    captions = []
    for k, (start, end, lines, number) in enumerate(moments):
        until = moments[k + 1][0] if k + 1 < len(moments) else min(end + HOLD, next_start)
        if until > start:
            captions.append(Caption(start, until, lines, highlighted=number))
    return captions


def _from_cue(cue: Cue) -> Caption:
    return Caption(cue.start, cue.end, [[Piece(line, None)] for line in cue.lines])


def make_captions(
    narration: Narration, cues: list[Cue], aspect: Aspect, style: CaptionStyle
) -> list[Caption]:
    """The burned captions of a video, in time order."""
    if style is CaptionStyle.SENTENCE:
        return [_from_cue(cue) for cue in cues]
    width = chars_per_line(aspect)
    captions: list[Caption] = []
    sentences = narration.sentences
    for index, sentence in enumerate(sentences):
        # The last caption goes halfway into the silent tail: the thumbnail is taken after it.
        last = index + 1 == len(sentences)
        next_start = (sentence.end + narration.duration) / 2 if last else sentences[index + 1].start
        karaoke = _karaoke(sentence, width, next_start)
        if karaoke:
            captions += karaoke
        else:
            captions += [
                _from_cue(cue) for cue in cues if sentence.start <= cue.start < sentence.end
            ]
    return captions
