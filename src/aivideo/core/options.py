"""The choices a user makes about how a video looks and sounds."""

from __future__ import annotations

import enum


class Quality(enum.StrEnum):
    LOW = "low"  # 480p
    MEDIUM = "medium"  # 720p
    HIGH = "high"  # 1080p


class OutputFormat(enum.StrEnum):
    MP4 = "mp4"
    WEBM = "webm"


class Aspect(enum.StrEnum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"


class SubtitleMode(enum.StrEnum):
    BURNED = "burned"
    SOFT = "soft"
    NONE = "none"


class CaptionStyle(enum.StrEnum):
    """How burned captions show: the spoken word highlighted, or a sentence at a time."""

    KARAOKE = "karaoke"
    SENTENCE = "sentence"


class VisualChoice(enum.StrEnum):
    """What the scenes show, after the user's own media: every source in turn, or one kind."""

    AUTO = "auto"  # stock footage (when set up), then pictograms, then painted
    STOCK = "stock"  # stock footage, painted where none is found
    PICTOGRAMS = "pictograms"  # no stock footage
    PAINTED = "painted"  # painted backgrounds only
