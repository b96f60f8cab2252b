"""A scene's most telling words, for the storyboard."""

from __future__ import annotations

from aivideo.pipeline.pictograms.catalogue import catalogue
from aivideo.pipeline.pictograms.inside_text import names_inside
from aivideo.pipeline.pictograms.languages import INSIDE_TEXT_LANGUAGES
from aivideo.pipeline.pictograms.words import telling_words


def scene_keywords(text: str, language: str = "en", limit: int = 5) -> list[str]:
    """Up to ``limit`` lower-case lemmas of ``text``, the most telling first.

    In Japanese, Chinese and Korean, whose words we cannot split, the emoji names
    written in the text instead. [] for a language we cannot read.
    """
    if language in INSIDE_TEXT_LANGUAGES:
        found = [name.name for name in names_inside(text, catalogue(language))]
        return list(dict.fromkeys(found))[: max(limit, 0)]
    return [word.lemma for word in telling_words(text, language)][: max(limit, 0)]
