"""The bundled fonts, and which one draws each character of a text.

Every font comes from PyPI (see pyproject.toml; all are under the SIL Open Font
License 1.1), so a machine with only Python draws every script the captions
support. No font covers them all: each run of characters is given its font
explicitly, by script (``font_runs``), at a size that shows its letters as
large as the others'. libass finds the files through fontconfig
(``fontconfig_file``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import fontpkg
from fontTools.ttLib import TTFont

from aivideo.pipeline.scripts_of_text import belongs_to_previous, scripts


@dataclass(frozen=True)
class BundledFont:
    """A font file from a package, and the scripts it is chosen for."""

    family: str  # as libass and fontconfig match it: the name table's family (name ID 1)
    scripts: frozenset[str]  # ISO 15924 codes
    locate: Callable[[], Path]  # where its package installed the file
    variable: bool = True  # a variable font: its Bold instance is chosen by name

    def path(self) -> Path:
        return _located(self)

    def has(self, character: str) -> bool:
        return ord(character) in characters(self)

    def libass_size(self, size: float) -> float:
        """The ASS font size at which this font's letters show as large as DejaVu Sans's at
        ``size`` (the font the frame's sizes were chosen with), as libass sizes a font by
        its line height (``_line_height``).
        """
        return size * _line_height(self) / _DEJAVU_SANS_LINE_HEIGHT


def _fontpkg(family: str) -> Callable[[], Path]:
    return lambda: fontpkg.path(family, weight="bold")


def _noto_sans_cjk() -> Path:
    return Path(str(resources.files("cvttf_NotoSansCJK_Bold") / "NotoSansCJKtc-Bold.otf"))


LATIN = BundledFont("Noto Sans", frozenset({"Latn", "Grek", "Cyrl"}), _fontpkg("Noto Sans"))
ARABIC = BundledFont("Noto Sans Arabic", frozenset({"Arab"}), _fontpkg("Noto Sans Arabic"))
HEBREW = BundledFont("Heebo", frozenset({"Hebr"}), _fontpkg("Heebo"))
DEVANAGARI = BundledFont(
    "Noto Sans Devanagari", frozenset({"Deva"}), _fontpkg("Noto Sans Devanagari")
)
# One file for Chinese (its Traditional forms by default), Japanese and Korean.
CJK = BundledFont(
    "Noto Sans CJK TC Bold",
    frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"}),
    _noto_sans_cjk,
    variable=False,
)
FONTS = (LATIN, ARABIC, HEBREW, DEVANAGARI, CJK)  # the first that has a character wins a tie
DEFAULT = LATIN


@cache
def _located(font: BundledFont) -> Path:
    return font.locate()


@cache
def characters(font: BundledFont) -> frozenset[int]:
    """The code points ``font`` has glyphs for (read once per process: 0.2 s for CJK)."""
    with TTFont(font.path(), lazy=True) as file:
        return frozenset(file.getBestCmap())


_DEJAVU_SANS_LINE_HEIGHT = 2384 / 2048  # its OS/2 win ascent + descent, in ems


@cache
def _line_height(font: BundledFont) -> float:
    """The font's line height in ems, as libass reads it (GDI's: OS/2 win ascent + descent).

    libass sets a font size as that height: Noto Sans Arabic's, with room for
    its marks, is 2.17 em against Noto Sans's 1.52, so at one size its letters
    would show at 70% of Noto Sans's.
    """
    with TTFont(font.path(), lazy=True) as file:
        metrics = file["OS/2"]
        height: float = (metrics.usWinAscent + metrics.usWinDescent) / file["head"].unitsPerEm
        return height


def _font_of_script(character: str) -> BundledFont | None:
    """The font of ``character``'s script, or any that has it; None for a common character."""
    if belongs_to_previous(character):
        return None
    written_in = scripts(character)
    if not written_in:
        return None
    for font in FONTS:
        if font.scripts & written_in and font.has(character):
            return font
    return next((font for font in FONTS if font.has(character)), None)


def fonts_of(text: str) -> list[BundledFont]:
    """Per character of ``text``, the bundled font it is drawn in.

    A letter gets its script's font. A mark goes with the letter before it. A
    character every script uses (a digit, a space, a full stop) goes with the
    character before it, or else the one after, if that font has it: so ``2024``
    in Arabic text is drawn in the Arabic font, and runs change fonts only where
    the script does.
    """
    chosen = [_font_of_script(character) for character in text]
    following: list[BundledFont | None] = [None] * len(text)
    for at in range(len(text) - 2, -1, -1):
        following[at] = chosen[at + 1] or following[at + 1]
    fonts: list[BundledFont] = []
    for at, character in enumerate(text):
        fonts.append(chosen[at] or _neighbours_font(character, fonts[-1:], following[at]))
    return fonts


def _neighbours_font(
    character: str, before: list[BundledFont], after: BundledFont | None
) -> BundledFont:
    previous = before[0] if before else None
    if previous is not None and (belongs_to_previous(character) or previous.has(character)):
        return previous
    if after is not None and after.has(character):
        return after
    # No neighbour has it (an emoji): libass then asks fontconfig for a font that does.
    return next((f for f in FONTS if f.has(character)), previous or after or DEFAULT)


def font_runs(text: str) -> list[tuple[str, BundledFont]]:
    """``text`` in runs of characters drawn in one font, in order."""
    runs: list[tuple[str, BundledFont]] = []
    for character, font in zip(text, fonts_of(text), strict=True):
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + character, font)
        else:
            runs.append((character, font))
    return runs


def font_for_text(text: str) -> BundledFont:
    """The one font that has the most characters of ``text`` (for a picture in one font).

    Of two that have them all, the one made for their script: Noto Sans has
    Devanagari letters too, but Noto Sans Devanagari is the one for them.
    """
    shown = [character for character in text if not character.isspace()]

    def fit(font: BundledFont) -> tuple[int, int]:
        has = sum(font.has(character) for character in shown)
        made_for = sum(bool(font.scripts & scripts(character)) for character in shown)
        return has, made_for

    return max(FONTS, key=fit)


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig configuration in ``folder`` that adds the bundled fonts to the system's.

    ffmpeg's libass finds fonts through fontconfig when ``FONTCONFIG_FILE``
    names this file: so it opens the Bold instance of a variable font (from
    its own ``fontsdir`` it would take the Regular and thicken it a little),
    and a character a run's font lacks falls back to the bundled fonts, then
    the system's. fontconfig keeps its index of the fonts in ``folder`` too.
    """
    folder.mkdir(parents=True, exist_ok=True)
    folders = sorted({str(font.path().parent) for font in FONTS})
    config = folder / "fonts.conf"
    config.write_text(
        "\n".join(
            [
                '<?xml version="1.0"?>',
                '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
                "<fontconfig>",
                *(f"  <dir>{escape(path)}</dir>" for path in folders),
                f"  <cachedir>{escape(str(folder / 'cache'))}</cachedir>",
                '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
                "</fontconfig>",
                "",
            ]
        ),
        encoding="utf-8",
    )
    return config
