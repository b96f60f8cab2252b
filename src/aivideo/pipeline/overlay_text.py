"""Text drawn over the picture by libass: captions and scene headlines, as an ASS script.

ffmpeg's ``subtitles`` filter renders the script onto each frame; libass shapes
the text (HarfBuzz, FriBidi) and keeps rendered glyphs, so a caption per spoken
word costs about what one overlay of pre-drawn pictures costs, without painting
them first. Each segment of a render gets the events of its own time window,
shifted to start at zero.

Each run of characters of one script names its bundled font (``fonts.fonts_of``),
at the size that shows its letters as large as the others'; libass finds the
fonts through fontconfig (``fonts.fontconfig_file``). Right-to-left text
(Arabic, Hebrew) lays out right to left: each line starts with a direction mark
for the text's main direction, and libass's bidi (Encoding -1) does the rest.
The lit word's colour tags change no font, and libass shapes across them, so
Arabic letters stay joined.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aivideo.pipeline.captions import Caption
from aivideo.pipeline.fonts import DEFAULT, BundledFont, fonts_of
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.scripts_of_text import has_right_to_left, is_right_to_left, uses_kana

FONT_NAME = DEFAULT.family
_RIGHT_TO_LEFT_MARK, _LEFT_TO_RIGHT_MARK = "\u200f", "\u200e"
# ASS colours are &HAABBGGRR (alpha 00 is opaque).
_WHITE = "&H00FFFFFF"
_HIGHLIGHT = "&H0000D7FF"  # gold
_OUTLINE = "&H00101010"
_SHADOW = "&H80000000"
HEADLINE_POP = 0.25  # seconds for a headline to grow to its size


@dataclass(frozen=True)
class Headline:
    """A scene's headline, popping in at the top while the scene shows."""

    text: str
    start: float
    end: float
    big: bool = False  # a number: shown larger


def _time(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6000)
    secs, centis = divmod(centis, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{centis:02d}"


def escape(text: str) -> str:
    r"""``text`` shown as written: braces and backslashes (``\N``) lose their meaning."""
    return text.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")


# A line as parts of text, each lit (the word being spoken) or not.
_Line = list[tuple[str, bool]]


def _caption_lines(caption: Caption) -> list[_Line]:
    lines = []
    for line in caption.lines:
        parts: _Line = []
        for k, piece in enumerate(line):
            if k and piece.spaced:
                parts.append((" ", False))
            parts.append((piece.text, piece.word is not None and piece.word == caption.highlighted))
        lines.append(parts)
    return lines


def _characters(
    line: _Line, fonts: Iterator[BundledFont]
) -> Iterator[tuple[str, bool, BundledFont]]:
    """Each character of the line, whether it is lit, and its font."""
    for text, lit in line:
        for character in text:
            yield character, lit, next(fonts)


def _shown(lines: list[_Line]) -> str:
    return "\n".join("".join(text for text, _ in line) for line in lines)


def _fonts(lines: list[_Line]) -> list[BundledFont]:
    """Per character of the lines (and one per line break), its font."""
    return fonts_of(_shown(lines).replace("\n", " "))


def _font_tag(font: BundledFont, size: int) -> str:
    return f"{{\\fn{font.family}\\fs{_libass_size(font, size)}}}"


def _libass_size(font: BundledFont, size: int) -> str:
    """``size`` as an ASS font size for ``font``, one decimal at most."""
    return f"{round(font.libass_size(size), 1):g}"


def _event_text(lines: list[_Line], size: int) -> str:
    """The ASS text of lines in a style of ``size``: a font tag where the script changes
    (at the size that shows its letters as large), colour tags around the lit.
    """
    shown = _shown(lines)
    fonts = iter(_fonts(lines))
    mark = ""
    if has_right_to_left(shown):
        mark = _RIGHT_TO_LEFT_MARK if is_right_to_left(shown) else _LEFT_TO_RIGHT_MARK
    current, out_lines = DEFAULT, []
    for number, line in enumerate(lines):
        if number:
            next(fonts)  # the line break
        out, lit_now = [mark], False
        for character, lit, font in _characters(line, fonts):
            if lit != lit_now:
                out.append(f"{{\\c{_HIGHLIGHT if lit else _WHITE}&}}")
                lit_now = lit
            if font != current:
                out.append(_font_tag(font, size))
                current = font
            out.append(escape(character))
        if lit_now:
            out.append(f"{{\\c{_WHITE}&}}")
        out_lines.append("".join(out))
    return "\\N".join(out_lines)


def _caption_text(caption: Caption, size: int) -> str:
    return _event_text(_caption_lines(caption), size)


def _headline_text(headline: Headline, size: int) -> str:
    pop = round(HEADLINE_POP * 1000)
    # \q0: unlike captions, a headline too wide for the frame is wrapped by libass.
    return (
        f"{{\\q0\\fad({pop},100)\\fscx40\\fscy40\\t(0,{pop},\\fscx100\\fscy100)}}"
        f"{_event_text([[(headline.text, False)]], size)}"
    )


def _font_sizes(frame: Frame) -> dict[str, int]:
    """Each style's font size, in pixels of the frame."""
    headline = round(frame.short_side * 0.085)
    return {
        "Caption": frame.caption_font_size,
        "Headline": headline,
        "Number": round(headline * 1.6),
    }


def _styles(frame: Frame) -> list[str]:
    sizes = _font_sizes(frame)
    caption = sizes["Caption"]
    fields = (
        "Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
        "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
    )
    margin = round(frame.width * 0.06)
    outline = max(2, caption // 14)

    def style(name: str, size: int, alignment: int, margin_v: int) -> str:
        return (
            f"Style: {name},{FONT_NAME},{_libass_size(DEFAULT, size)},{_WHITE},{_WHITE},"
            f"{_OUTLINE},{_SHADOW},"
            f"-1,0,0,0,100,100,0,0,1,{outline},{max(1, outline // 2)},{alignment},"
            f"{margin},{margin},{margin_v},-1"
        )

    top = round(frame.height * (0.1 if frame.height > frame.width else 0.08))
    return [
        f"Format: {fields}",
        style("Caption", caption, 2, frame.caption_bottom_margin),
        style("Headline", sizes["Headline"], 8, top),
        style("Number", sizes["Number"], 8, top),
    ]


def _language(shown: Iterable[str]) -> list[str]:
    """Japanese text's header: the CJK font then draws the Japanese forms of shared characters."""
    return ["Language: ja"] if any(uses_kana(text) for text in shown) else []


def ass_script(
    frame: Frame,
    captions: list[Caption],
    headlines: list[Headline],
    begin: float = 0.0,
    end: float = float("inf"),
) -> str:
    """The events between ``begin`` and ``end`` of the video, timed from ``begin``.

    It reads the fonts' files (once per process, see ``fonts.characters``): call it in a thread.
    """
    sizes = _font_sizes(frame)
    events, shown = [], []
    for headline in headlines:
        if headline.end > begin and headline.start < end:
            style = "Number" if headline.big else "Headline"
            text = _headline_text(headline, sizes[style])
            events.append((headline.start, headline.end, 1, style, text))
            shown.append(headline.text)
    for caption in captions:
        if caption.end > begin and caption.start < end:
            text = _caption_text(caption, sizes["Caption"])
            events.append((caption.start, caption.end, 0, "Caption", text))
            shown.append(_shown(_caption_lines(caption)))
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {frame.width}",
        f"PlayResY: {frame.height}",
        "WrapStyle: 2",  # lines break where the captions say, nowhere else
        "ScaledBorderAndShadow: yes",
        *_language(shown),
        "",
        "[V4+ Styles]",
        *_styles(frame),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for start, stop, layer, style, text in sorted(events, key=lambda event: event[0]):
        shown_from, shown_to = max(start, begin) - begin, min(stop, end) - begin
        lines.append(
            f"Dialogue: {layer},{_time(shown_from)},{_time(shown_to)},{style},,0,0,0,,{text}"
        )
    return "\n".join(lines) + "\n"
