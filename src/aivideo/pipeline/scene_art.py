"""A scene's picture made from its words: pictograms with labels on a soft background.

Laid out for the frame's shape: in a row for 16:9 and 1:1, stacked for 9:16,
inside the part of the picture that stays in view while it pans, clear of the
headline above and the captions below. Runs in the process pool.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from aivideo.pipeline.painting import background_image, font
from aivideo.pipeline.pictograms.art import pictogram_png

# Of the frame's height: the headline sits above this, the captions below the other.
_TOP, _BOTTOM = 0.2, 0.72


@dataclass(frozen=True)
class Slot:
    """Where one pictogram goes: its centre and size, in picture pixels."""

    x: float
    y: float
    size: int


def layout(width: int, height: int, frame_width: int, frame_height: int, count: int) -> list[Slot]:
    """Slots for ``count`` pictograms on a ``width`` x ``height`` picture panned in a frame."""
    cx, cy = width / 2, height / 2
    top = cy - frame_height / 2 + frame_height * _TOP
    bottom = cy - frame_height / 2 + frame_height * _BOTTOM
    # What panning never shows: the margin between the picture and the frame.
    usable_width = frame_width - (width - frame_width)
    portrait = frame_height > frame_width
    room = bottom - top
    if portrait:
        # Stacked: each pictogram with its disc and label takes 1.8 times its size.
        size = min(usable_width * 0.45, room / (count * 1.8))
        ys = [top + room * (k + 0.5) / count for k in range(count)]
        return [Slot(cx, y - size * 0.15, int(size)) for y in ys]
    size = min(room / 1.45, usable_width * 0.8 / (count * 1.4))
    middle = (top + bottom) / 2 - size * 0.1
    step = size * 1.4
    first = cx - step * (count - 1) / 2
    return [Slot(first + step * k, middle, int(size)) for k in range(count)]


def _disc(size: int) -> Image.Image:
    """A soft light disc behind a pictogram, so any colour of emoji stands out."""
    pad = size // 8
    disc = Image.new("RGBA", (size + 2 * pad, size + 2 * pad), (0, 0, 0, 0))
    ImageDraw.Draw(disc).ellipse((pad, pad, pad + size, pad + size), fill=(255, 255, 255, 60))
    return disc.filter(ImageFilter.GaussianBlur(pad / 2))


def paint_pictogram_scene(
    width: int,
    height: int,
    frame_width: int,
    frame_height: int,
    palette: int,
    seed: int,
    pictograms: list[tuple[str, str]],
    output: Path,
) -> None:
    """``pictograms`` ((emoji, label) pairs) over a background of the video's ``palette``."""
    picture = background_image(width, height, palette, seed).convert("RGBA")
    draw = ImageDraw.Draw(picture)
    for slot, (emoji, label) in zip(
        layout(width, height, frame_width, frame_height, len(pictograms)), pictograms, strict=True
    ):
        disc_size = int(slot.size * 1.3)
        disc = _disc(disc_size)
        picture.alpha_composite(disc, (int(slot.x - disc.width / 2), int(slot.y - disc.height / 2)))
        with Image.open(io.BytesIO(pictogram_png(emoji, slot.size))) as art:
            picture.alpha_composite(
                art.convert("RGBA"), (int(slot.x - slot.size / 2), int(slot.y - slot.size / 2))
            )
        label_size = max(12, slot.size // 6)
        draw.text(
            (slot.x, slot.y + disc_size / 2 + label_size * 0.2),
            label,
            font=font(label_size, label),
            anchor="ma",
            fill=(255, 255, 255, 235),
            stroke_width=max(1, label_size // 12),
            stroke_fill=(0, 0, 0, 160),
        )
    picture.convert("RGB").save(output, format="JPEG", quality=94)
