"""Language tags (BCP-47: ``es``, ``de-DE``, ``ja``) and when two of them mean the same language.

A video's language and a voice's are compared by their primary subtag, the
language itself: ``es`` matches ``es-ES`` and ``es-MX`` (Piper writes
``es_ES``, read the same way); the region and script only tell accents apart.

langcodes knows every registered language: its English name (for a script
writer's instructions) and its ISO 639-2 code (for a subtitle track's tag).
"""

from __future__ import annotations

import re

import langcodes
from langcodes.tag_parser import LanguageTagError

MAX_TAG_CHARS = 35  # RFC 5646's longest tag worth keeping
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_ALPHA3 = re.compile(r"[a-z]{3}")
DEFAULT_LANGUAGE = "en"  # a video whose voice tells no language (a remote service's)


def is_language_tag(tag: str) -> bool:
    """True for a well-formed tag (``es``, ``de-DE``, ``zh-Hant-TW``); ``_`` is not one."""
    return len(tag) <= MAX_TAG_CHARS and _TAG.fullmatch(tag) is not None


def primary_language(tag: str) -> str:
    """The language subtag, lower case: ``es`` for ``es-MX``, ``es_ES`` or ``ES``."""
    return tag.replace("_", "-").split("-", 1)[0].lower()


def same_language(one: str, other: str) -> bool:
    return primary_language(one) == primary_language(other)


def english_name(tag: str) -> str:
    """The language as a person reads it: "Spanish (Mexico)" for ``es-MX``, the tag itself
    for a language langcodes does not know.

    Blocking: the first call reads langcodes' names (25 MB, a tenth of a second) from
    disk, so call it in a thread.
    """
    language = _parsed(tag)
    if language is None or not language.is_valid() or language.language in (None, "und"):
        return tag
    return language.display_name("en")


def iso639_2(tag: str) -> str | None:
    """The three-letter code of ISO 639-2/B ("spa", "ger", "jpn"), as MP4 and Matroska tag
    a track's language; None for a language without one."""
    language = _parsed(tag)
    if language is None or language.language in (None, "und"):
        return None
    try:
        code = language.to_alpha3(variant="B")
    except LookupError:  # a well-formed tag of no registered language ("xx")
        return None
    return code if _ALPHA3.fullmatch(code) else None


def _parsed(tag: str) -> langcodes.Language | None:
    try:
        return langcodes.Language.get(tag.replace("_", "-"))
    except LanguageTagError:
        return None
