"""Pictures drawn with Pillow and NumPy: backgrounds and the title card.

Every function here is CPU work and runs in the process pool; each writes a PNG
and returns what the caller needs to place it. Text is drawn in the bundled font
that has its script (``fonts``), shaped by Pillow's raqm (HarfBuzz, FriBidi).
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from aivideo.pipeline.fonts import BundledFont, font_for_text
from aivideo.pipeline.scripts_of_text import uses_kana
from aivideo.pipeline.text_tokens import wrap_lines

# Calm two-colour gradients (top-left, bottom-right), chosen by hand.
PALETTES = [
    ((17, 42, 70), (44, 120, 115)),
    ((40, 24, 68), (160, 70, 110)),
    ((12, 54, 60), (90, 160, 140)),
    ((58, 28, 20), (196, 120, 62)),
    ((20, 30, 48), (80, 110, 170)),
    ((30, 50, 30), (130, 160, 90)),
    ((64, 20, 44), (220, 120, 110)),
    ((16, 20, 36), (60, 70, 120)),
]


def font(size: int, text: str = "") -> ImageFont.FreeTypeFont:
    """The pictures' font at ``size``, bold: the bundled one that has most of ``text``'s letters."""
    return _bold(font_for_text(text), size)


@cache
def _bold(bundled: BundledFont, size: int) -> ImageFont.FreeTypeFont:
    face = ImageFont.truetype(bundled.path(), size)
    if bundled.variable:
        face.set_variation_by_name("Bold")
    return face


def text_language(text: str) -> str | None:
    """The language to shape ``text`` in, where it changes the glyphs: Japanese forms of kanji."""
    return "ja" if uses_kana(text) else None


def paint_background(width: int, height: int, palette: int, seed: int, output: Path) -> None:
    """A soft gradient of ``palette`` with blurred light spots placed by ``seed``, as a JPEG."""
    # JPEG: ffmpeg decodes it straight to YUV, half the memory of an RGB picture.
    background_image(width, height, palette, seed).save(output, format="JPEG", quality=94)


def background_image(width: int, height: int, palette: int, seed: int) -> Image.Image:
    """A soft gradient with blurred light spots, ``width`` x ``height``.

    One video keeps one ``palette`` (an index into PALETTES); each scene's
    ``seed`` moves the light spots.
    """
    rng = random.Random(seed)
    top, bottom = PALETTES[palette % len(PALETTES)]
    # Painted at a quarter of the size and scaled up: it is all soft shapes.
    small_w, small_h = max(8, width // 4), max(8, height // 4)
    y, x = np.mgrid[0:small_h, 0:small_w]
    mix = ((x / small_w) * 0.5 + (y / small_h) * 0.5)[..., None]
    gradient = np.array(top) * (1 - mix) + np.array(bottom) * mix
    image = Image.fromarray(gradient.astype(np.uint8), "RGB")

    spots = Image.new("RGB", image.size, (0, 0, 0))
    draw = ImageDraw.Draw(spots)
    for _ in range(rng.randint(4, 7)):
        radius = rng.uniform(0.08, 0.25) * max(small_w, small_h)
        cx, cy = rng.uniform(0, small_w), rng.uniform(0, small_h)
        glow = rng.randint(25, 60)
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(glow,) * 3)
    spots = spots.filter(ImageFilter.GaussianBlur(max(small_w, small_h) / 25))
    image = Image.fromarray(
        np.clip(np.asarray(image, np.int16) + np.asarray(spots, np.int16), 0, 255).astype(np.uint8)
    )
    image = image.resize((width, height), Image.Resampling.BICUBIC)
    # A little noise hides the banding of smooth 8-bit gradients.
    noise = np.random.default_rng(seed).integers(-2, 3, (height, width, 1), dtype=np.int16)
    pixels = np.clip(np.asarray(image, np.int16) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def paint_title(title: str, width: int, height: int, output: Path) -> None:
    """The title card: large centred text over a darkened band, transparent elsewhere."""
    size = round(min(width, height) * 0.09)
    face = font(size, title)
    chars = max(8, int(width * 0.8 / (size * 0.55)))  # Latin letters; a CJK character is two
    text = "\n".join(wrap_lines(title, chars)[:3])
    language = text_language(title)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = (width / 2, height / 2)
    # The same layout measured for the band behind the text, then drawn on it.
    layout: dict[str, Any] = {
        "font": face, "anchor": "mm", "align": "center", "spacing": size // 4,
        "language": language,
    }  # fmt: skip
    box = draw.multiline_textbbox(centre, text, **layout)
    band = round(size * 0.8)
    draw.rectangle((0, box[1] - band, width, box[3] + band), fill=(0, 0, 0, 110))
    draw.multiline_text(
        centre,
        text,
        **layout,
        fill=(255, 255, 255, 255),
        stroke_width=max(2, size // 20),
        stroke_fill=(0, 0, 0, 200),
    )
    image.save(output, format="PNG", compress_level=1)


def compose_thumbnail(frame: Path, title: str | None, output: Path) -> None:
    """A square frame of the video with the title over it, as a JPEG."""
    with Image.open(frame) as still:
        picture = still.convert("RGBA")
    if title:
        overlay = output.with_name(output.name + ".title.png")
        paint_title(title, picture.width, picture.height, overlay)
        with Image.open(overlay) as title_card:
            picture.alpha_composite(title_card)
        overlay.unlink()
    picture.convert("RGB").save(output, format="JPEG", quality=88)


def fit_picture(source: Path, width: int, height: int, output: Path) -> None:
    """Crop and scale a picture to cover ``width`` x ``height`` (runs in a worker process)."""
    with Image.open(source) as image:
        picture = ImageOps.exif_transpose(image).convert("RGB")
    fitted = ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS)
    fitted.save(output, format="JPEG", quality=94)
