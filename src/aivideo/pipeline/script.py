"""The script stage: the user's text becomes scenes of sentences worth narrating.

A storyboard's scenes (``storyboard_script``) stay as they were written: one
scene each, its sentences found but never moved to another scene.

Markdown leftovers are cleaned up first (``markdown``): headings and list
items become sentences of their own, emphasis and links become plain words,
and rules (``---``) and blank lines only separate scenes — they are never
spoken and never count as time. The sentences are then found by the rules
of the video's language (``sentence_splitter``).
"""

from __future__ import annotations

from aivideo.core.errors import InvalidInput
from aivideo.core.languages import DEFAULT_LANGUAGE
from aivideo.core.script import Scene, Script, is_speakable
from aivideo.pipeline.markdown import paragraphs, plain
from aivideo.pipeline.sentence_splitter import Splitter, sentence_splitter

# A scene is what one background shows: a paragraph, cut down to this many
# sentences so that the picture changes every 10-20 seconds.
MAX_SENTENCES_PER_SCENE = 3

# pysbd's time grows with the square of the text it is given: 20 000 characters
# of "1. 1. 1. ..." took 11 s of CPU ("a. b. c. ..." half a minute), and some of
# its single regex calls held the GIL for 90 ms. It reads a long line this many
# characters at a time: at most about a second for any text, in short calls.
SEGMENTER_WINDOW = 500


def _segment(piece: str, split: Splitter) -> list[str]:
    """The sentences of ``piece``, found a window at a time."""
    sentences: list[str] = []
    while len(piece) > SEGMENTER_WINDOW:
        window = piece[:SEGMENTER_WINDOW]
        found = split(window)
        # The last sentence may go on past the window: the next window starts with it.
        restart = _start_of_last(window, found)
        if restart > 0:
            sentences += found[:-1]
        else:  # a sentence longer than the window: cut at its last space
            restart = window.rfind(" ") + 1 or SEGMENTER_WINDOW
            sentences.append(window[:restart])
        piece = piece[restart:]
    return sentences + split(piece)


def _start_of_last(window: str, sentences: list[str]) -> int:
    """Where the last of ``sentences`` starts in ``window`` (0 when there is just one).

    pysbd (``clean=False``) gives pieces of the text in order, spaces between
    them dropped at times, so each is found after the one before.
    """
    start = end = 0
    for sentence in sentences:
        start = window.find(sentence, end)
        if start < 0:
            return 0  # not expected; treated as one long sentence
        end = start + len(sentence)
    return start if len(sentences) > 1 else 0


def _sentences(pieces: list[str], language: str) -> list[str]:
    split = sentence_splitter(language)
    sentences = []
    for piece in pieces:
        for sentence in _segment(piece, split):
            sentence = sentence.strip()
            if is_speakable(sentence):
                sentences.append(sentence)
    return sentences


def write_script(text: str, title: str | None = None, language: str = DEFAULT_LANGUAGE) -> Script:
    """Split ``text`` (in ``language``, a BCP-47 tag) into scenes and sentences.

    Raises:
        InvalidInput: the text has nothing a voice could say.
    """
    scenes = []
    for paragraph in paragraphs(text):
        # List items and lines of one paragraph are sentences of their own.
        sentences = _sentences(paragraph, language)
        for start in range(0, len(sentences), MAX_SENTENCES_PER_SCENE):
            scenes.append(Scene(sentences[start : start + MAX_SENTENCES_PER_SCENE]))
    if not scenes:
        raise InvalidInput(
            "the text has nothing to narrate: it needs words or numbers, "
            "not only emoji, punctuation or markup"
        )
    return Script(_shown_title(title), scenes)


def storyboard_script(
    texts: list[str], title: str | None = None, language: str = DEFAULT_LANGUAGE
) -> Script:
    """A scene per text of a storyboard, in order: each keeps all its sentences, however many.

    Raises:
        InvalidInput: a scene's text has nothing a voice could say (the message names it).
    """
    scenes = []
    for index, text in enumerate(texts):
        sentences = [s for part in paragraphs(text) for s in _sentences(part, language)]
        if not sentences:
            raise InvalidInput(
                f"scenes[{index}].text has nothing to narrate: it needs words or numbers, "
                "not only emoji, punctuation or markup"
            )
        scenes.append(Scene(sentences))
    return Script(_shown_title(title), scenes)


def _shown_title(title: str | None) -> str | None:
    """The title card's words, if the title has any a voice could say."""
    title = plain(title) if title else None
    return title if title and is_speakable(title) else None
