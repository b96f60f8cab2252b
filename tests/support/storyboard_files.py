"""A storyboard as the visuals stage leaves it in a video's folder, for API and page tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from aivideo.core import outputs

TWEMOJI = "Twemoji graphics by Twitter, Inc and other contributors, CC-BY 4.0"
# scenes.json in the visuals stage's format.
STORYBOARD: dict[str, Any] = {
    "scenes": [
        {
            "index": 0, "start": 0.0, "end": 4.83,
            "narration": "Water moves in a never-ending cycle.",
            "keywords": ["water", "cycle"], "visual": "pictograms",
            "pictograms": [{"emoji": "💧", "name": "droplet"}, {"emoji": "🔁", "name": "cycle"}],
            "headline": "Water", "preview": "scene-0.jpg",
        },
        {
            "index": 1, "start": 4.83, "end": 9.1, "narration": "It rises as vapour.",
            "keywords": ["vapour"], "visual": "painted", "pictograms": [], "headline": None,
            "preview": "scene-1.jpg",
        },
    ],
    "credits": [TWEMOJI],
}  # fmt: skip
# words.json in the subtitles stage's format.
WORDS: dict[str, Any] = {"words": [{"text": "Water", "start": 0.52, "end": 0.81}]}


def preview_jpeg() -> bytes:
    """A real 480x270 JPEG, the size of the visuals stage's previews."""
    buffer = io.BytesIO()
    Image.new("RGB", (480, 270), (40, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


def write_storyboard(folder: Path, preview: bytes) -> None:
    """Put STORYBOARD, WORDS and a preview per scene in ``folder`` (blocking: in a thread)."""
    files = {outputs.scene_preview(scene["index"]): preview for scene in STORYBOARD["scenes"]}
    files[outputs.STORYBOARD] = json.dumps(STORYBOARD).encode()
    files[outputs.WORDS] = json.dumps(WORDS).encode()
    write_files(folder, files)
