"""Emoji names found inside a text, for languages whose words are not split by spaces."""

from __future__ import annotations

from dataclasses import dataclass

from aivideo.pipeline.pictograms.catalogue import Candidate, Catalogue


@dataclass(frozen=True)
class FoundName:
    name: str
    candidate: Candidate
    start: int  # where in the text


def names_inside(text: str, index: Catalogue) -> list[FoundName]:
    """Each emoji name written in ``text``, in text order.

    Longer names are looked for first, and a name found hides the shorter ones
    inside it: 雨雲 (rain cloud) is not also 雲 (cloud).
    """
    found: list[FoundName] = []
    taken = bytearray(len(text))
    for name, candidate in index.inside_text:
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * len(name)
                found.append(FoundName(name, candidate, start))
            start = text.find(name, end)
    return sorted(found, key=lambda name: name.start)
