"""``aivideo generate`` run as a person runs it."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest

from tests.support.cli import AIVIDEO, cli_env, run_cli
from tests.support.media_files import make_media_folder, make_music
from tests.support.probe import image_format_and_size, probe_video
from tests.support.processes import is_alive


async def test_generate_writes_video_subtitles_and_thumbnail(tmp_path: Path) -> None:
    media = await make_media_folder(tmp_path / "media")
    music = await make_music(tmp_path / "music.m4a")
    output = tmp_path / "out" / "clip.webm"
    await asyncio.to_thread(output.parent.mkdir)

    code, out, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "Hello there.\n\nThis is a test.",
        "-o", str(output), "--quality", "low", "--aspect", "1:1", "--title", "Test",
        "--media", str(media), "--music", str(music),
    )  # fmt: skip

    assert code == 0, err
    assert "skipped c-notes.txt" in err
    assert str(output) in err and str(output.with_suffix(".vtt")) in err
    probe = await asyncio.to_thread(probe_video, output)
    assert (probe.video_codec, probe.width, probe.height) == ("vp9", 480, 480)
    assert await asyncio.to_thread(image_format_and_size, output.with_suffix(".jpg")) == (
        "JPEG",
        (512, 512),
    )
    srt = await asyncio.to_thread(output.with_suffix(".srt").read_text)
    assert "This is a test." in srt
    words = json.loads(await asyncio.to_thread(output.with_suffix(".words.json").read_text))
    assert [w["text"] for w in words["words"]] == ["Hello", "there.", "This", "is", "a", "test."]
    board = json.loads(await asyncio.to_thread(output.with_suffix(".scenes.json").read_text))
    # The scenes show the user's own media, in turn.
    assert [scene["visual"] for scene in board["scenes"]] == ["user_media", "user_media"]


async def test_generate_reads_text_from_a_file(tmp_path: Path) -> None:
    script = tmp_path / "script.md"
    await asyncio.to_thread(script.write_text, "# Title line\n\nRead from a file.")
    output = tmp_path / "from-file.mp4"

    code, _, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "--file", str(script), "-o", str(output),
        "--quality", "low", "--subtitles", "none",
    )  # fmt: skip

    assert code == 0, err
    assert (await asyncio.to_thread(probe_video, output)).video_codec == "h264"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["   "], "the text is empty"),
        (["Hi.", "-o", "/no/such/folder/x.mp4"], "the folder /no/such/folder does not exist"),
        (["Hi.", "--voice", "nobody"], "unknown voice 'nobody'"),
        (["Hi.", "--music", "/etc/hostname"], "not an audio file"),
        (["Hi.", "--media", "/etc/hostname"], "not a folder"),
        (["Hi.", "--rate", "9"], "Invalid value for '--rate'"),
        (["--prompt", "rain"], "--prompt needs a script writer: set AIVIDEO_LLM_BASE_URL"),
        (["Rain.", "--prompt", "rain"], "give a narration or --prompt, not both"),
        (["--prompt", "🎉"], "--prompt must say what the video is about, in words"),
    ],
)
async def test_bad_input_is_refused_before_any_work(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, _, err = await run_cli(cli_env(tmp_path / "data"), "generate", *args)

    assert code == 2
    assert message in " ".join(err.split())


async def test_nothing_speakable_fails_with_a_clear_message(tmp_path: Path) -> None:
    code, _, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "🎉 🎉", "-o", str(tmp_path / "x.mp4")
    )

    assert code == 1
    assert "nothing to narrate" in err
    assert not await asyncio.to_thread((tmp_path / "x.mp4").exists)


async def test_ctrl_c_stops_cleanly_without_output_or_ffmpeg(tmp_path: Path) -> None:
    output = tmp_path / "long.mp4"
    text = " ".join(["A sentence that keeps the encoder working for a while."] * 20)
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, "generate", text, "-o", str(output), env=cli_env(tmp_path / "data"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        # As in a terminal: a test runner started in the background ignores SIGINT,
        # and its children would inherit that.
        preexec_fn=_default_sigint,
    )  # fmt: skip
    ffmpeg = await _wait_for_ffmpeg(process.pid)
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 130, err.decode()
    assert "stopped" in err.decode()
    assert not await asyncio.to_thread(output.exists)
    assert not is_alive(ffmpeg)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def test_sigterm_stops_cleanly_too(tmp_path: Path) -> None:
    output = tmp_path / "long.mp4"
    text = " ".join(["A sentence that keeps the encoder working for a while."] * 20)
    process = await asyncio.create_subprocess_exec(
        *AIVIDEO, "generate", text, "-o", str(output), env=cli_env(tmp_path / "data"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    ffmpeg = await _wait_for_ffmpeg(process.pid)
    process.terminate()
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)

    assert process.returncode == 143, err.decode()
    assert not await asyncio.to_thread(output.exists)
    assert not is_alive(ffmpeg)


async def _wait_for_ffmpeg(parent: int) -> int:
    """The pid of the first encoding ffmpeg that ``parent`` starts."""
    async with asyncio.timeout(120):
        while True:
            finder = await asyncio.create_subprocess_exec(
                "pgrep", "-P", str(parent), "-f", "ffmpeg-linux.*-filter_complex",
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await finder.communicate()
            if out.strip():
                return int(out.split()[0])
            await asyncio.sleep(0.1)  # polling for the encoder to appear
