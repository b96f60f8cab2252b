"""What a file is, and whether it is small enough, read from its header only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aivideo.media.limits import MediaTooLarge
from aivideo.media.probe import identify_media, scan_media_folder
from aivideo.pipeline.ffmpeg import run_ffmpeg
from tests.support.media_files import make_media_folder, png_claiming


async def _write(path: Path, content: bytes | str) -> Path:
    if isinstance(content, str):
        await asyncio.to_thread(path.write_text, content)
    else:
        await asyncio.to_thread(path.write_bytes, content)
    return path


async def _clip(path: Path, source: str, *options: str) -> Path:
    await run_ffmpeg(
        ["-f", "lavfi", "-i", source, *options, "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-y", str(path)]
    )  # fmt: skip
    return path


async def test_a_20_kb_png_claiming_13000_by_13000_pixels_is_refused_from_its_header(
    tmp_path: Path,
) -> None:
    huge = await _write(tmp_path / "huge.png", await asyncio.to_thread(png_claiming, 13000, 13000))
    assert (await asyncio.to_thread(huge.stat)).st_size < 25_000

    with pytest.raises(MediaTooLarge) as refused:
        await asyncio.to_thread(identify_media, huge)

    assert refused.value.message == (
        "huge.png is 13000×13000 pixels; at most 40 MP are accepted: "
        "use a smaller version of the picture"
    )


async def test_the_pixel_bound_is_the_one_configured(tmp_path: Path) -> None:
    # 8000 x 6000 = 48 MP: over the default 40 MP (and under what Pillow only warns about).
    picture = await _write(tmp_path / "big.png", await asyncio.to_thread(png_claiming, 8000, 6000))

    with pytest.raises(MediaTooLarge, match="is 8000×6000 pixels; at most 40 MP"):
        await asyncio.to_thread(identify_media, picture)
    accepted = await asyncio.to_thread(identify_media, picture, 50_000_000)
    assert accepted is not None and not accepted.is_clip


async def test_a_media_folder_skips_a_picture_too_large_saying_why(tmp_path: Path) -> None:
    folder = await make_media_folder(tmp_path / "media")
    await _write(folder / "huge.png", await asyncio.to_thread(png_claiming, 13000, 13000))

    usable, warnings = await asyncio.to_thread(scan_media_folder, folder)

    assert [media.path.name for media in usable] == ["a-photo.jpg", "b-clip.mp4"]
    assert "skipped huge.png: it is 13000×13000 pixels; at most 40 MP are accepted" in " ".join(
        warnings
    )


@pytest.mark.parametrize(
    ("name", "source", "options", "reason"),
    [
        pytest.param(
            "wide.mp4", "testsrc=size=9000x200:rate=25:duration=0.2", [],
            "is 9000×200 pixels; clips of at most 8K (7680×4320) are accepted", id="beyond 8K",
        ),
        pytest.param(
            "fast.mp4", "testsrc=size=64x64:rate=1000:duration=0.1", [],
            "runs at 1000 frames per second; at most 240 are accepted", id="1000 fps",
        ),
        pytest.param(  # two frames, the second 5.6 hours after the first
            "long.mkv", "color=size=16x16:rate=1:duration=2", ["-vf", "setpts=N*20000/TB"],
            "lasts 5.6 hours; clips of at most 3 hours are accepted", id="5.6 hours",
        ),
    ],
)  # fmt: skip
async def test_a_clip_claiming_an_absurd_size_rate_or_length_is_refused(
    tmp_path: Path, name: str, source: str, options: list[str], reason: str
) -> None:
    clip = await _clip(tmp_path / name, source, *options)

    with pytest.raises(MediaTooLarge) as refused:
        await asyncio.to_thread(identify_media, clip)

    assert refused.value.reason == reason


async def test_a_clip_is_known_with_the_container_format_it_was_read_as(tmp_path: Path) -> None:
    mp4 = await _clip(tmp_path / "clip.mp4", "testsrc=size=64x64:rate=25:duration=1")
    mkv = await _clip(tmp_path / "clip.mkv", "testsrc=size=64x64:rate=25:duration=1")

    found = [await asyncio.to_thread(identify_media, path) for path in (mp4, mkv)]

    assert [(media.is_clip, media.container_format) for media in found if media] == [
        (True, "mov"),
        (True, "matroska"),
    ]


async def test_a_playlist_or_a_concat_list_given_as_a_clip_is_not_media(tmp_path: Path) -> None:
    # Each names a real clip: read as a clip, it would show (or fetch) a file the user chose.
    secret = await _clip(tmp_path / "secret.mp4", "testsrc=size=64x64:rate=25:duration=1")
    playlist = await _write(
        tmp_path / "clip.m3u8",
        f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n",
    )
    concat = await _write(
        tmp_path / "holiday.mp4", "ffconcat version 1.0\nfile 'secret.mp4'\nduration 1.0\n"
    )

    assert await asyncio.to_thread(identify_media, playlist) is None
    assert await asyncio.to_thread(identify_media, concat) is None
