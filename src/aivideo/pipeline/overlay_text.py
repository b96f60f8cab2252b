"""Text drawn over the picture by libass: captions and scene headlines, as an ASS script.

ffmpeg's ``subtitles`` filter renders the script onto each frame; libass shapes
the text (HarfBuzz, FriBidi) and keeps rendered glyphs, so a caption per spoken
word costs about what one overlay of pre-drawn pictures costs, without painting
them first. Each segment of a render gets the events of its own time window,
shifted to start at zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from aivideo.pipeline.captions import Caption, Piece
from aivideo.pipeline.frame import Frame

FONT_NAME = "DejaVu Sans"
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


def _caption_text(caption: Caption) -> str:
    def shown(piece: Piece) -> str:
        if piece.word is not None and piece.word == caption.highlighted:
            return f"{{\\c{_HIGHLIGHT}&}}{escape(piece.text)}{{\\c{_WHITE}&}}"
        return escape(piece.text)

    return "\\N".join(" ".join(shown(piece) for piece in line) for line in caption.lines)


def _headline_text(headline: Headline) -> str:
    pop = round(HEADLINE_POP * 1000)
    # \q0: unlike captions, a headline too wide for the frame is wrapped by libass.
    return (
        f"{{\\q0\\fad({pop},100)\\fscx40\\fscy40\\t(0,{pop},\\fscx100\\fscy100)}}"
        f"{escape(headline.text)}"
    )


def _styles(frame: Frame) -> list[str]:
    caption = frame.caption_font_size
    headline = round(frame.short_side * 0.085)
    fields = (
        "Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
        "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
    )
    margin = round(frame.width * 0.06)
    outline = max(2, caption // 14)

    def style(name: str, size: int, alignment: int, margin_v: int) -> str:
        return (
            f"Style: {name},{FONT_NAME},{size},{_WHITE},{_WHITE},{_OUTLINE},{_SHADOW},"
            f"-1,0,0,0,100,100,0,0,1,{outline},{max(1, outline // 2)},{alignment},"
            f"{margin},{margin},{margin_v},1"
        )

    top = round(frame.height * (0.1 if frame.height > frame.width else 0.08))
    return [
        f"Format: {fields}",
        style("Caption", caption, 2, frame.caption_bottom_margin),
        style("Headline", headline, 8, top),
        style("Number", round(headline * 1.6), 8, top),
    ]


def ass_script(
    frame: Frame,
    captions: list[Caption],
    headlines: list[Headline],
    begin: float = 0.0,
    end: float = float("inf"),
) -> str:
    """The events between ``begin`` and ``end`` of the video, timed from ``begin``."""
    events = []
    for headline in headlines:
        if headline.end > begin and headline.start < end:
            style = "Number" if headline.big else "Headline"
            events.append((headline.start, headline.end, 1, style, _headline_text(headline)))
    for caption in captions:
        if caption.end > begin and caption.start < end:
            events.append((caption.start, caption.end, 0, "Caption", _caption_text(caption)))
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {frame.width}",
        f"PlayResY: {frame.height}",
        "WrapStyle: 2",  # lines break where the captions say, nowhere else
        "ScaledBorderAndShadow: yes",
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
