"""Language tags (BCP-47: ``es``, ``de-DE``, ``ja``) and when two of them mean the same language.

A video's language and a voice's are compared by their primary subtag, the
language itself: ``es`` matches ``es-ES`` and ``es-MX`` (Piper writes
``es_ES``, read the same way); the region and script only tell accents apart.
"""

from __future__ import annotations

import re

MAX_TAG_CHARS = 35  # RFC 5646's longest tag worth keeping
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
DEFAULT_LANGUAGE = "en"  # a video whose voice tells no language (a remote service's)


def is_language_tag(tag: str) -> bool:
    """True for a well-formed tag (``es``, ``de-DE``, ``zh-Hant-TW``); ``_`` is not one."""
    return len(tag) <= MAX_TAG_CHARS and _TAG.fullmatch(tag) is not None


def primary_language(tag: str) -> str:
    """The language subtag, lower case: ``es`` for ``es-MX``, ``es_ES`` or ``ES``."""
    return tag.replace("_", "-").split("-", 1)[0].lower()


def same_language(one: str, other: str) -> bool:
    return primary_language(one) == primary_language(other)
