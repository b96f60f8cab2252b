"""How large a picture or clip may say it is, checked from its header before decoding.

A 20 KB PNG can claim 13 000 × 13 000 pixels: decoding it takes half a gigabyte.
A clip can claim 16K frames, a thousand frames a second or a week of running
time. Such files are refused from what their header says, with a message
that says it, before a single pixel is decoded.

Pillow has a check of its own (``Image.MAX_IMAGE_PIXELS``), but it only warns
(``DecompressionBombWarning``) up to twice its limit and cannot say the size.
Here its warning is an error in every process. Processes that decode pictures
(the pool) set its limit to the bound itself; a process that only reads
headers keeps it far above, so that the check here, which names the size,
comes first.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

from PIL import Image

from aivideo.core.errors import InvalidInput

DEFAULT_MAX_PIXELS = 40_000_000  # AIVIDEO_MEDIA_MAX_PIXELS
# Pillow's own refusal, where only headers are read: no setting may go above it.
HEADER_CHECK_PIXELS = 1_000_000_000

MAX_CLIP_WIDTH, MAX_CLIP_HEIGHT = 7680, 4320  # 8K UHD, either way round
MAX_CLIP_FPS = 240
MAX_CLIP_HOURS = 3

warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
if (Image.MAX_IMAGE_PIXELS or 0) < HEADER_CHECK_PIXELS:
    Image.MAX_IMAGE_PIXELS = HEADER_CHECK_PIXELS


class MediaTooLarge(InvalidInput):
    """A picture or clip whose header claims more than aivideo accepts.

    ``reason`` reads after the file's name, whatever names it: "is 13000×13000
    pixels; at most 40 MP are accepted".
    """

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}")
        self.reason = reason


def decode_pictures_up_to(max_pixels: int) -> None:
    """In this process, Pillow refuses to open a picture of more than ``max_pixels``.

    For processes that decode pictures (the pool): even one that was never
    checked cannot make them allocate more.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels


def check_picture_size(name: str, width: int, height: int, max_pixels: int) -> None:
    """Raises MediaTooLarge if ``width`` × ``height`` is more than ``max_pixels``."""
    if width * height > max_pixels:
        raise MediaTooLarge(
            name,
            f"is {width}×{height} pixels; at most {max_pixels / 1e6:g} MP are accepted: "
            "use a smaller version of the picture",
        )


def check_clip_header(
    name: str, width: int, height: int, fps: Fraction | None, seconds: float
) -> None:
    """Raises MediaTooLarge for a clip beyond 8K, 240 frames a second or 3 hours."""
    if max(width, height) > MAX_CLIP_WIDTH or min(width, height) > MAX_CLIP_HEIGHT:
        raise MediaTooLarge(
            name,
            f"is {width}×{height} pixels; clips of at most 8K "
            f"({MAX_CLIP_WIDTH}×{MAX_CLIP_HEIGHT}) are accepted",
        )
    if fps is not None and fps > MAX_CLIP_FPS:
        raise MediaTooLarge(
            name,
            f"runs at {float(fps):g} frames per second; at most {MAX_CLIP_FPS} are accepted",
        )
    if seconds > MAX_CLIP_HOURS * 3600:
        raise MediaTooLarge(
            name,
            f"lasts {seconds / 3600:.1f} hours; clips of at most {MAX_CLIP_HOURS} hours "
            "are accepted",
        )
