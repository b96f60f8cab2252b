"""Captions as a person sees them: drawn by libass in the real ffmpeg, looked at as pixels.

A character no font has is drawn as its font's missing-glyph box (.notdef);
``box_likeness`` finds such a box in a picture by normalized cross-correlation
with the box itself, drawn the same way.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from aivideo.pipeline.captions import Caption, Piece
from aivideo.pipeline.ffmpeg import ffmpeg_executable
from aivideo.pipeline.fonts import FONTS, BundledFont, fontconfig_file
from aivideo.pipeline.frame import Frame
from aivideo.pipeline.overlay_text import ass_script

BACKGROUND = (0x33, 0x66, 0x99)
GOLD = np.array([255, 215, 0])  # the spoken word's colour
NO_FONT_HAS = "\ue000"  # a private-use character: every font draws its missing-glyph box
BOX_LIKENESS = 0.8  # real glyphs score at most 0.6 against a box, boxes 0.9 and more


def render_script(script: str, frame: Frame, folder: Path) -> np.ndarray:
    """The ASS script drawn by ffmpeg's libass on a plain frame, as RGB pixels."""
    folder.mkdir(parents=True, exist_ok=True)
    ass, png = folder / "captions.ass", folder / "frame.png"
    ass.write_text(script, encoding="utf-8")
    colour = "0x{:02x}{:02x}{:02x}".format(*BACKGROUND)
    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y",
         "-f", "lavfi", "-i", f"color=c={colour}:s={frame.width}x{frame.height}:d=1",
         "-vf", f"subtitles=filename={ass}", "-frames:v", "1", "-update", "1", str(png)],
        check=True,
        env={"FONTCONFIG_FILE": str(fontconfig_file(folder / "fonts"))},
    )  # fmt: skip
    with Image.open(png) as picture:
        return np.asarray(picture.convert("RGB"))


def render_captions(captions: list[Caption], frame: Frame, folder: Path) -> np.ndarray:
    """The first frame of the first caption's time."""
    begin = min((caption.start for caption in captions), default=0.0)
    return render_script(ass_script(frame, captions, [], begin=begin), frame, folder)


def caption_of(text: str) -> Caption:
    return Caption(0.0, 1.0, [[Piece(text, None)]])


def missing_glyph_box(font: BundledFont, frame: Frame, folder: Path) -> np.ndarray:
    """``font``'s missing-glyph box as a caption shows it, cropped, in grey levels."""
    script = ass_script(frame, [caption_of("x")], [])
    header, _, _ = script.rstrip("\n").rpartition(",,")
    size = round(font.libass_size(frame.caption_font_size), 1)
    pixels = grey(
        render_script(f"{header},,{{\\fn{font.family}\\fs{size}}}{NO_FONT_HAS}\n", frame, folder)
    )
    ys, xs = np.nonzero(ink(pixels))
    return pixels[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def missing_glyph_boxes(frame: Frame, folder: Path) -> list[np.ndarray]:
    return [missing_glyph_box(font, frame, folder / font.family) for font in FONTS]


def grey(pixels: np.ndarray) -> np.ndarray:
    return pixels.astype(float) @ np.array([0.299, 0.587, 0.114])


def ink(grey_pixels: np.ndarray) -> np.ndarray:
    """Where something is drawn on the plain background."""
    background = float(np.array(BACKGROUND) @ np.array([0.299, 0.587, 0.114]))
    return np.abs(grey_pixels - background) > 40


def gold(pixels: np.ndarray) -> np.ndarray:
    return np.abs(pixels.astype(int) - GOLD).sum(axis=2) < 90


def white(pixels: np.ndarray) -> np.ndarray:
    return (pixels.astype(int) > 225).all(axis=2)


def box_likeness(picture: np.ndarray, box: np.ndarray) -> float:
    """How much the most box-like place of ``picture`` (grey levels) looks like ``box`` (1: it).

    Normalized cross-correlation at every position, by FFT; flat places match nothing.
    """
    h, w = box.shape
    height, width = picture.shape
    template = box - box.mean()
    shape = (height + h - 1, width + w - 1)
    products = np.fft.irfft2(
        np.fft.rfft2(picture, shape) * np.fft.rfft2(template[::-1, ::-1], shape), shape
    )[h - 1 : height, w - 1 : width]

    def window_sums(values: np.ndarray) -> np.ndarray:
        sums = np.pad(values, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        return sums[h:, w:] - sums[:-h, w:] - sums[h:, :-w] + sums[:-h, :-w]

    variance = window_sums(picture**2) - window_sums(picture) ** 2 / (h * w)
    flat = variance < h * w * 25.0  # less than 5 grey levels of spread: no ink
    scores = products / (np.sqrt((template**2).sum()) * np.sqrt(np.maximum(variance, 1e-9)))
    return float(np.where(flat, 0.0, scores).max())


def most_box_like(picture: np.ndarray, boxes: list[np.ndarray]) -> float:
    return max(box_likeness(picture, box) for box in boxes)


def ink_columns(mask: np.ndarray) -> tuple[int, int]:
    """The leftmost and rightmost columns with ink."""
    xs = np.nonzero(mask.any(axis=0))[0]
    return int(xs.min()), int(xs.max())


def ink_rows(mask: np.ndarray) -> list[tuple[int, int]]:
    """The bands of rows with ink, top to bottom (a caption's lines)."""
    rows = mask.any(axis=1)
    bands: list[tuple[int, int]] = []
    for y, inked in enumerate(rows):
        if inked and (not bands or bands[-1][1] != y - 1):
            bands.append((y, y))
        elif inked:
            bands[-1] = (bands[-1][0], y)
    return bands
