"""Small real media files for tests, made with the bundled ffmpeg and Pillow."""

from __future__ import annotations

import asyncio
import struct
import zlib
from pathlib import Path

from PIL import Image

from aivideo.pipeline.ffmpeg import run_ffmpeg


def _picture(path: Path) -> None:
    Image.new("RGB", (640, 400), (200, 120, 40)).save(path, format="JPEG")


async def make_media_folder(folder: Path) -> Path:
    """A folder with a photo, a 1-second clip and a text file that is not media."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(_picture, folder / "a-photo.jpg")
    await run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(folder / "b-clip.mp4")]
    )  # fmt: skip
    await asyncio.to_thread((folder / "c-notes.txt").write_text, "not a picture")
    return folder


async def make_music(path: Path, seconds: int = 3) -> Path:
    await run_ffmpeg(
        ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
         "-c:a", "libmp3lame" if path.suffix == ".mp3" else "aac", "-y", str(path)]
    )  # fmt: skip
    return path


def png_claiming(width: int, height: int) -> bytes:
    """A real, valid PNG of ``width`` x ``height`` black pixels, a few KB small.

    One bit per pixel, every row the same: zlib squeezes 13 000 x 13 000 into
    about 20 KB, which decoded would take 169 MB (and 507 MB as RGB). Compressed
    a row at a time, so making it never holds the whole picture either.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter "none", then the bits of the row
    squeezer = zlib.compressobj(9)
    pixels = b"".join(squeezer.compress(row) for _ in range(height)) + squeezer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
