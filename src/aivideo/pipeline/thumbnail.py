"""The thumbnail's picture: which moment of the video, and the ffmpeg call that grabs it."""

from __future__ import annotations

from pathlib import Path

from aivideo.pipeline.speech.narration import Narration

THUMBNAIL_SIZE = 512  # pixels, square


def moment_without_caption(narration: Narration) -> float:
    """The middle of the first pause between sentences after a third of the video."""
    spoken = narration.sentences
    for before, after in zip(spoken, spoken[1:], strict=False):
        if before.end >= narration.duration / 3:
            return (before.end + after.start) / 2
    return (spoken[-1].end + narration.duration) / 2  # the silent tail


def frame_grab_args(video: Path, at: float, output: Path, size: int = THUMBNAIL_SIZE) -> list[str]:
    """ffmpeg arguments: the frame at ``at`` seconds, cropped to a ``size`` square PNG."""
    return [
        "-ss", f"{at:.3f}",
        "-i", str(video),
        "-frames:v", "1",
        "-vf", f"scale={size}:{size}:force_original_aspect_ratio=increase,crop={size}:{size}",
        "-f", "image2", "-c:v", "png", "-y", str(output),
    ]  # fmt: skip
