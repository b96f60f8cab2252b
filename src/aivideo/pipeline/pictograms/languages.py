"""Which languages pictograms are chosen in, and how each one's words are found."""

from __future__ import annotations

import emoji

# Languages the emoji package names emoji in (14).
NAMED_LANGUAGES = frozenset(emoji.LANGUAGES)

# Written without spaces between words (Japanese, Chinese) or with particles glued
# to them (Korean), and unknown to simplemma: an emoji's name is looked for inside
# the text instead of among its words.
INSIDE_TEXT_LANGUAGES = frozenset({"ja", "zh", "ko"})

# The rest: words split on spaces and punctuation, lemmatized by simplemma.
WORD_LANGUAGES = NAMED_LANGUAGES - INSIDE_TEXT_LANGUAGES
