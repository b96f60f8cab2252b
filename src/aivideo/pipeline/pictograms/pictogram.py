"""What a scene shows when it has no picture of its own: an emoji and its label."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pictogram:
    """An emoji to draw, and the short label shown under it (and written to scenes.json)."""

    emoji: str
    name: str
