"""The storyboard: per scene, when it plays, what is said and what is shown (scenes.json).

Written by the visuals stage, before the render starts, so the page and the
API can show it while the video is still being made. Each scene has a small
preview picture beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from aivideo.core.outputs import scene_preview
from aivideo.core.script import Scene
from aivideo.pipeline.scene_graph import Shot, clip_input
from aivideo.pipeline.scene_words import SceneWords
from aivideo.pipeline.visuals import PICTOGRAMS, shows_headline

PREVIEW_WIDTH = 480


def storyboard(
    scenes: list[Scene],
    durations: list[float],
    kinds: list[str],
    words: list[SceneWords],
    credits: list[str],
) -> dict[str, Any]:
    entries, start = [], 0.0
    for index, (scene, duration, kind, said) in enumerate(
        zip(scenes, durations, kinds, words, strict=True)
    ):
        entries.append(
            {
                "index": index,
                "start": round(start, 3),
                "end": round(start + duration, 3),
                "narration": " ".join(scene.sentences),
                "keywords": scene.keywords or said.keywords,
                "visual": kind,
                "pictograms": [{"emoji": p.emoji, "name": p.name} for p in said.pictograms]
                if kind == PICTOGRAMS
                else [],
                "headline": said.headline if shows_headline(kind, said) else None,
                "preview": scene_preview(index),
            }
        )
        start += duration
    return {"scenes": entries, "credits": credits}


def paint_preview(picture: Path, frame_width: int, frame_height: int, output: Path) -> None:
    """The middle of a scene's (panned, larger) picture at the frame's shape, made small."""
    height = round(PREVIEW_WIDTH * frame_height / frame_width)
    with Image.open(picture) as image:
        small = ImageOps.fit(image.convert("RGB"), (PREVIEW_WIDTH, height))
    small.save(output, format="JPEG", quality=85)


def clip_preview_args(shot: Shot, frame_width: int, frame_height: int, output: Path) -> list[str]:
    """ffmpeg arguments: a frame from the start of a clip, at the preview's size and shape."""
    height = round(PREVIEW_WIDTH * frame_height / frame_width) // 2 * 2
    size = f"{PREVIEW_WIDTH}:{height}"
    return [
        *clip_input(shot), "-i", f"file:{shot.path}", "-frames:v", "1",
        "-vf", f"scale={size}:force_original_aspect_ratio=increase,crop={size}",
        "-f", "image2", "-c:v", "mjpeg", "-y", str(output),
    ]  # fmt: skip
