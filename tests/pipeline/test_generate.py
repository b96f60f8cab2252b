"""Whole videos from text, probed like a player would: codecs, size, timing, files."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aivideo.core.errors import DiskFull, InvalidInput
from aivideo.core.options import Aspect, OutputFormat, Quality, SubtitleMode
from aivideo.core.spec import VideoSpec
from aivideo.media.probe import check_audio, scan_media_folder
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources
from tests.support.media_files import make_media_folder, make_music
from tests.support.probe import audio_seconds, image_format_and_size, probe_video
from tests.support.small_disk import small_disk

TEXT = "Clouds form when warm air rises and cools. Then it rains.\n\nRivers carry water home."


def _names(folder: Path) -> list[str]:
    return [path.name for path in folder.rglob("*")]


def _cues(vtt: str) -> list[tuple[float, float]]:
    def seconds(stamp: str) -> float:
        hours, minutes, rest = stamp.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(rest)

    return [
        (seconds(line.split(" --> ")[0]), seconds(line.split(" --> ")[1]))
        for line in vtt.splitlines()
        if " --> " in line
    ]


async def test_mp4_landscape_with_title_and_burned_subtitles(
    resources: Resources, tmp_path: Path
) -> None:
    spec = VideoSpec(TEXT, title="Water", quality=Quality.LOW)
    stages_seen: list[str] = []

    def report(stage: str, _fraction: float, percent: int) -> None:
        if not stages_seen or stages_seen[-1] != stage:
            stages_seen.append(stage)
        assert 0 <= percent <= 100

    video = await generate_video(spec, Workspace(tmp_path / "w"), resources, report)

    probe = await asyncio.to_thread(probe_video, video.video)
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
    assert (probe.width, probe.height) == (854, 480)
    narration = await asyncio.to_thread(audio_seconds, tmp_path / "w" / "narration.wav")
    assert abs(probe.duration - narration) < 0.2
    assert probe.subtitle_codecs == []
    assert stages_seen == ["script", "speech", "subtitles", "visuals", "render", "thumbnail"]

    cues = _cues(await asyncio.to_thread(video.vtt.read_text))
    assert len(cues) == 3
    assert cues[0][0] >= 2.5  # after the title card
    assert all(start < end for start, end in cues)
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:], strict=False))
    assert cues[-1][1] <= probe.duration
    assert await asyncio.to_thread(image_format_and_size, video.thumbnail) == ("JPEG", (512, 512))


async def test_webm_portrait_with_a_soft_subtitle_track(
    resources: Resources, tmp_path: Path
) -> None:
    spec = VideoSpec(
        TEXT, quality=Quality.LOW, format=OutputFormat.WEBM, aspect=Aspect.PORTRAIT,
        subtitles=SubtitleMode.SOFT,
    )  # fmt: skip

    video = await generate_video(spec, Workspace(tmp_path / "w"), resources)

    probe = await asyncio.to_thread(probe_video, video.video)
    assert (probe.video_codec, probe.audio_codec) == ("vp9", "opus")
    assert (probe.width, probe.height) == (480, 854)
    assert probe.subtitle_codecs == ["webvtt"]
    narration = await asyncio.to_thread(audio_seconds, tmp_path / "w" / "narration.wav")
    assert abs(probe.duration - narration) < 0.2


async def test_square_video_without_subtitles(resources: Resources, tmp_path: Path) -> None:
    spec = VideoSpec("Square and silent captions.", quality=Quality.LOW, aspect=Aspect.SQUARE,
                     subtitles=SubtitleMode.NONE)  # fmt: skip

    video = await generate_video(spec, Workspace(tmp_path / "w"), resources)

    probe = await asyncio.to_thread(probe_video, video.video)
    assert (probe.width, probe.height) == (480, 480)
    names = await asyncio.to_thread(_names, tmp_path / "w")
    assert not any(name.startswith("caption") for name in names)


async def test_running_again_skips_finished_stages(resources: Resources, tmp_path: Path) -> None:
    spec = VideoSpec("Made once, served twice.", quality=Quality.LOW)
    workspace = Workspace(tmp_path / "w")
    first = await generate_video(spec, workspace, resources)
    made = (await asyncio.to_thread(first.video.stat)).st_mtime_ns

    reported: list[str] = []
    again = await generate_video(
        spec,
        workspace,
        resources,
        lambda stage, fraction, _: reported.append(f"{stage}:{fraction}"),
    )

    assert again == first
    assert (await asyncio.to_thread(again.video.stat)).st_mtime_ns == made
    assert all(entry.endswith(":1.0") for entry in reported)  # every stage was already done


async def test_unknown_voice_lists_the_installed_ones(resources: Resources, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown voice 'nobody'; installed voices: heart, joe"):
        await generate_video(VideoSpec("Hi.", voice="nobody"), Workspace(tmp_path), resources)


async def test_cancelling_during_render_stops_ffmpeg_and_leaves_no_partial_file(
    resources: Resources, tmp_path: Path
) -> None:
    spec = VideoSpec(" ".join(["A longer sentence to give the encoder some work."] * 12))
    rendering = asyncio.Event()

    def report(stage: str, fraction: float, _percent: int) -> None:
        if stage == "render" and fraction > 0:
            rendering.set()

    task = asyncio.create_task(generate_video(spec, Workspace(tmp_path / "w"), resources, report))
    await asyncio.wait_for(rendering.wait(), timeout=120)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    names = await asyncio.to_thread(_names, tmp_path / "w")
    assert [name for name in names if name.endswith(".part")] == []
    assert "video.mp4" not in names
    assert await _ffmpeg_children() == []


async def _ffmpeg_children() -> list[str]:
    process = await asyncio.create_subprocess_exec(
        "pgrep", "-a", "-P", str(os.getpid()), "-f", "ffmpeg-linux", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return [line for line in out.decode().splitlines() if line.strip()]


async def test_own_media_and_music(resources: Resources, tmp_path: Path) -> None:
    folder = await make_media_folder(tmp_path / "media")
    usable, warnings = await asyncio.to_thread(scan_media_folder, folder)
    music = await make_music(tmp_path / "music.m4a")
    spec = VideoSpec(
        "First scene.\n\nSecond scene.\n\nThird scene.",
        quality=Quality.LOW,
        media=tuple(usable),
        music=music,
    )

    video = await generate_video(spec, Workspace(tmp_path / "w"), resources)

    assert [m.path.name for m in usable] == ["a-photo.jpg", "b-clip.mp4"]
    assert [m.is_clip for m in usable] == [False, True]
    assert warnings == ["skipped c-notes.txt: not an image or video that can be read"]
    probe = await asyncio.to_thread(probe_video, video.video)
    assert (probe.width, probe.height) == (854, 480)
    narration = await asyncio.to_thread(audio_seconds, tmp_path / "w" / "narration.wav")
    assert abs(probe.duration - narration) < 0.2


async def test_media_folder_with_nothing_usable_is_a_clear_error(tmp_path: Path) -> None:
    await asyncio.to_thread((tmp_path / "notes.txt").write_text, "nothing to see")

    with pytest.raises(InvalidInput, match="no usable image or video"):
        await asyncio.to_thread(scan_media_folder, tmp_path)


async def test_music_that_is_not_audio_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "song.mp3"
    await asyncio.to_thread(fake.write_text, "la la la")

    with pytest.raises(InvalidInput, match="not an audio file"):
        await asyncio.to_thread(check_audio, fake)


@pytest.fixture
async def tiny_disk(tmp_path: Path) -> AsyncIterator[Path]:
    """An 800 KB filesystem: it fills up while the video is encoded."""
    async with small_disk(tmp_path / "tiny", "800k") as mount_point:
        yield mount_point


async def test_a_full_disk_fails_with_a_clear_message_and_no_partial_files(
    resources: Resources, tiny_disk: Path
) -> None:
    spec = VideoSpec(TEXT, quality=Quality.LOW)

    with pytest.raises(DiskFull, match="the disk is full"):
        await generate_video(spec, Workspace(tiny_disk / "w"), resources)

    names = await asyncio.to_thread(_names, tiny_disk)
    assert "visuals.json" in names  # it was the encoder that ran out of room
    assert [name for name in names if name.endswith(".part")] == []


@pytest.mark.parametrize("output_format", [OutputFormat.MP4, OutputFormat.WEBM])
async def test_a_video_made_in_segments_is_one_whole_video(
    resources: Resources,
    tmp_path: Path,
    output_format: OutputFormat,
) -> None:
    # Long videos are rendered two scenes at a time: five scenes make three segments.
    text = "\n\n".join(f"This is part number {i} of the story." for i in range(5))
    spec = VideoSpec(text, title="Parts", quality=Quality.LOW, format=output_format)

    video = await generate_video(spec, Workspace(tmp_path / "w"), resources)

    probe = await asyncio.to_thread(probe_video, video.video)
    narration = await asyncio.to_thread(audio_seconds, tmp_path / "w" / "narration.wav")
    assert abs(probe.duration - narration) < 0.2
    assert probe.audio_codec == ("aac" if output_format is OutputFormat.MP4 else "opus")
    names = await asyncio.to_thread(_names, tmp_path / "w")
    assert not any(name.startswith((".segment", ".captions")) for name in names)
