"""The thumbnail's picture: which moment of the video, and the ffmpeg call that grabs it."""

from __future__ import annotations

from pathlib import Path

from aivideo.pipeline.captions import HOLD
from aivideo.pipeline.speech.narration import Narration

THUMBNAIL_SIZE = 512  # pixels, square


def moment_without_caption(narration: Narration) -> float:
    """A moment without a caption in the first pause long enough after a third of the video.

    A caption stays up ``HOLD`` seconds after its last word: only the longer
    pauses (between scenes) show none. Just after it goes, the scene and its
    headline are still fully there.
    """
    spoken = narration.sentences
    for before, after in zip(spoken, spoken[1:], strict=False):
        if before.end >= narration.duration / 3 and after.start - before.end > HOLD + 0.1:
            return before.end + HOLD + 0.05
    # The silent tail: its last caption is gone halfway through it (captions.make_captions),
    # and a moment well before the end has a frame whatever the rounding of frames.
    return spoken[-1].end + (narration.duration - spoken[-1].end) * 0.75


def frame_grab_args(video: Path, at: float, output: Path, size: int = THUMBNAIL_SIZE) -> list[str]:
    """ffmpeg arguments: the frame at ``at`` seconds, cropped to a ``size`` square PNG."""
    return [
        "-ss", f"{at:.3f}",
        "-i", str(video),
        "-frames:v", "1",
        "-vf", f"scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}",
        "-f", "image2", "-c:v", "png", "-y", str(output),
    ]  # fmt: skip
