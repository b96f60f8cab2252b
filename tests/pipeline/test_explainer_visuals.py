"""What a viewer sees: pictograms for each scene, a headline, karaoke captions, a storyboard.

Real videos through the whole pipeline, looked at frame by frame. Frames of
each aspect are saved under test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aivideo.core.options import Aspect, CaptionStyle, Quality, VisualChoice
from aivideo.core.spec import GeneratedVideo, VideoSpec
from aivideo.pipeline.ffmpeg import ffmpeg_executable
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
TEXT = "Clouds form when warm air rises and cools.\n\nRockets carry satellites into space."
GOLD = np.array([255, 215, 0])  # the spoken word's colour


def frame_at(video: Path, seconds: float) -> np.ndarray:
    """The picture at ``seconds``, as RGB pixels (decoded by ffmpeg)."""
    png = subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video),
         "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    from io import BytesIO

    return np.asarray(Image.open(BytesIO(png)).convert("RGB"))


def container_comment(video: Path) -> str:
    """The video file's own ``comment`` tag, as ffmpeg reads it."""
    described = subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-i", str(video)], capture_output=True, text=True
    ).stderr
    tags = [line.split(":", 1)[1].strip() for line in described.splitlines() if "comment" in line]
    return tags[0] if tags else ""


def image_format_and_width(path: Path) -> tuple[str | None, int]:
    with Image.open(path) as picture:
        return picture.format, picture.width


def gold_pixels(pixels: np.ndarray) -> int:
    """How many pixels are (near) the highlight colour."""
    return int((np.abs(pixels.astype(int) - GOLD).sum(axis=2) < 60).sum())


async def make(
    resources: Resources, folder: Path, **options: object
) -> tuple[GeneratedVideo, dict[str, object], list[dict[str, object]]]:
    spec = VideoSpec(TEXT, quality=Quality.LOW, **options)  # type: ignore[arg-type]
    video = await generate_video(spec, Workspace(folder), resources)
    board = json.loads(await asyncio.to_thread(video.storyboard.read_text))
    words = json.loads(await asyncio.to_thread(video.words.read_text))["words"]
    return video, board, words


async def test_scenes_show_their_own_pictograms_and_captions_light_each_spoken_word(
    resources: Resources, tmp_path: Path
) -> None:
    # A folder whose name means something to ffmpeg's filter graphs (: ' [ ] , ;).
    video, board, words = await make(resources, tmp_path / "it's [a]: b,c;d")

    scenes = board["scenes"]
    assert isinstance(scenes, list) and len(scenes) == 2
    shown = [[p["emoji"] for p in scene["pictograms"]] for scene in scenes]
    assert "☁️" in shown[0] and "🚀" in shown[1]
    assert [scene["visual"] for scene in scenes] == ["pictograms", "pictograms"]
    assert board["credits"] and "CC-BY 4.0" in board["credits"][0]  # type: ignore[index]
    # The art's licence asks for credit: the file itself carries it.
    assert await asyncio.to_thread(container_comment, video.video) == board["credits"][0]  # type: ignore[index]
    for scene in scenes:
        preview = video.video.parent / scene["preview"]
        assert await asyncio.to_thread(image_format_and_width, preview) == ("JPEG", 480)
    assert scenes[0]["end"] == scenes[1]["start"] and scenes[0]["start"] == 0

    # Mid-word, the caption band (the bottom fifth) shows that word in gold.
    frames = []
    for word in (words[0], words[3], words[-1]):
        pixels = await asyncio.to_thread(frame_at, video.video, (word["start"] + word["end"]) / 2)
        assert gold_pixels(pixels[int(480 * 0.8) :]) > 30, word
        frames.append(pixels)
    await save_frames(frames, "frames-16x9.png")


async def test_sentence_captions_light_nothing_and_painted_visuals_show_no_pictograms(
    resources: Resources, tmp_path: Path
) -> None:
    video, board, words = await make(
        resources, tmp_path / "w", caption_style=CaptionStyle.SENTENCE, visuals=VisualChoice.PAINTED
    )

    scenes = board["scenes"]
    assert [s["visual"] for s in scenes] == ["painted", "painted"]  # type: ignore[index]
    assert all(s["pictograms"] == [] for s in scenes)  # type: ignore[index]
    assert board["credits"] == []  # no art used, none to credit
    word = words[3]
    pixels = await asyncio.to_thread(frame_at, video.video, (word["start"] + word["end"]) / 2)
    assert gold_pixels(pixels[int(480 * 0.8) :]) == 0
    # ...yet the caption is there: white text in the band.
    assert (pixels[int(480 * 0.8) :] > 240).all(axis=2).sum() > 30


async def save_frames(frames: list[np.ndarray], name: str) -> None:
    await asyncio.to_thread(ARTIFACTS.mkdir, exist_ok=True)
    tile = Image.fromarray(np.concatenate(frames, axis=1))
    await asyncio.to_thread(tile.save, ARTIFACTS / name)


@pytest.mark.parametrize("aspect", [Aspect.PORTRAIT, Aspect.SQUARE])
async def test_frames_of_the_other_aspects_are_saved_to_look_at(
    resources: Resources, tmp_path: Path, aspect: Aspect
) -> None:
    video, _board, words = await make(resources, tmp_path / "w", aspect=aspect)

    times = [(w["start"] + w["end"]) / 2 for w in (words[1], words[-2])]
    frames = [await asyncio.to_thread(frame_at, video.video, t) for t in times]
    await save_frames(frames, f"frames-{aspect.value.replace(':', 'x')}.png")
    # The pictograms are in the picture: a scene frame is far from a flat background.
    assert all(frame.std() > 20 for frame in frames)
