"""Frame geometry: the size of the picture for a quality and an aspect ratio."""

from __future__ import annotations

from dataclasses import dataclass

from aivideo.core.options import Aspect, Quality

FPS = 30

_SHORT_SIDE = {Quality.LOW: 480, Quality.MEDIUM: 720, Quality.HIGH: 1080}


@dataclass(frozen=True)
class Frame:
    width: int
    height: int

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @property
    def caption_font_size(self) -> int:
        return round(self.short_side * 0.055)

    @property
    def caption_bottom_margin(self) -> int:
        # Portrait videos are watched in apps that cover the bottom with buttons.
        return round(self.height * (0.18 if self.height > self.width else 0.07))


def even(value: float) -> int:
    """The nearest even number of pixels: H.264 with 4:2:0 colour needs even sizes."""
    return int(round(value / 2) * 2)


def frame_for(quality: Quality, aspect: Aspect) -> Frame:
    """480p/720p/1080p is the short side: 16:9 at 720p is 1280x720, 9:16 is 720x1280."""
    short = _SHORT_SIDE[quality]
    long = even(short * 16 / 9)
    if aspect is Aspect.LANDSCAPE:
        return Frame(long, short)
    if aspect is Aspect.PORTRAIT:
        return Frame(short, long)
    return Frame(short, short)
