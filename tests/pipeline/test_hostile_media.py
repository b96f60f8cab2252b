"""A "clip" that is really a playlist cannot make ffmpeg read the files it names."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from aivideo.core.errors import RenderFailed
from aivideo.core.options import Quality, SubtitleMode
from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline.ffmpeg import run_ffmpeg
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources


def _hls_playlist(secret: Path) -> str:
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n"


def _concat_list(secret: Path) -> str:
    return f"ffconcat version 1.0\nfile '{secret.name}'\nduration 1.0\n"


@pytest.mark.parametrize(
    ("name", "manifest"),
    [
        pytest.param("clip.m3u8", _hls_playlist, id="an HLS playlist"),
        pytest.param("holiday.mp4", _concat_list, id="a concat list called .mp4"),
    ],
)
async def test_a_manifest_given_as_a_clip_cannot_make_the_render_open_the_file_it_names(
    resources: Resources, tmp_path: Path, name: str, manifest: Callable[[Path], str]
) -> None:
    secret = tmp_path / "media" / "secret.mp4"  # another file of the machine
    await asyncio.to_thread(secret.parent.mkdir)
    await run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(secret)]
    )  # fmt: skip
    fake = tmp_path / "media" / name
    await asyncio.to_thread(fake.write_text, manifest(secret))
    # identify_media refuses such files; this one reaches the render as if it had
    # been taken for an MP4 clip (a format ffmpeg could disagree about).
    spec = VideoSpec(
        "One scene, shown by the clip.",
        quality=Quality.LOW,
        subtitles=SubtitleMode.NONE,
        media=(MediaFile(fake, is_clip=True, container_format="mov"),),
    )

    with pytest.raises(RenderFailed):
        await generate_video(spec, Workspace(tmp_path / "w"), resources)
