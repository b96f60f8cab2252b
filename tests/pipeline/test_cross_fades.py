"""A scene fades into the next: drawn by the real ffmpeg, frame by frame."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PIL import Image

from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.frame import FPS, Frame
from aivideo.pipeline.scene_graph import Shot, background_graph

FRAME = Frame(64, 36)
BLACK, WHITE = 16, 235  # their luma in the video's (limited) range


async def _pictures(folder: Path) -> tuple[str, str]:
    """A black and a white picture, a little larger than the frame (the pan moves over them)."""

    def draw(name: str, shade: int) -> str:
        Image.new("RGB", (80, 48), (shade, shade, shade)).save(folder / name)
        return str(folder / name)

    return await asyncio.to_thread(lambda: (draw("black.png", 0), draw("white.png", 255)))


async def _lumas(shots: list[Shot], scenes: range, folder: Path) -> list[float]:
    """The mean luma of every frame of the scenes' backgrounds."""
    inputs, filters, label = background_graph(shots, scenes, FRAME)
    raw = folder / "frames.yuv"
    await run_ffmpeg([
        *inputs, "-filter_complex", ";".join([*filters, f"{label}format=yuv420p[video]"]),
        "-map", "[video]", "-r", str(FPS), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-y", str(raw),
    ])  # fmt: skip
    data = await asyncio.to_thread(raw.read_bytes)
    luma, size = FRAME.width * FRAME.height, FRAME.width * FRAME.height * 3 // 2
    return [sum(data[at : at + luma]) / luma for at in range(0, len(data), size)]


async def test_a_still_fades_into_the_next_over_half_a_second(tmp_path: Path) -> None:
    black, white = await _pictures(tmp_path)
    lumas = await _lumas([Shot(black, 1.0), Shot(white, 1.0)], range(2), tmp_path)

    # Scene 0 for its second, the fade for half a second (15 frames), scene 1's rest.
    assert len(lumas) == 60
    assert all(abs(luma - BLACK) < 2 for luma in lumas[:30])
    fade = lumas[30:45]
    assert all(earlier < later for earlier, later in zip(fade, fade[1:], strict=False))
    assert abs(fade[7] - (BLACK + WHITE) / 2) < 20  # halfway: an even mix, not a cut
    assert all(abs(luma - WHITE) < 2 for luma in lumas[46:])


async def test_a_segment_that_opens_with_a_fade_starts_from_the_scene_before(
    tmp_path: Path,
) -> None:
    black, white = await _pictures(tmp_path)
    lumas = await _lumas([Shot(black, 1.0), Shot(white, 1.0)], range(1, 2), tmp_path)

    assert len(lumas) == 30  # the fade into scene 1, then the rest of it
    assert lumas[0] < BLACK + 20 and lumas[14] > WHITE - 20
    assert all(abs(luma - WHITE) < 2 for luma in lumas[16:])
