"""``aivideo generate --server`` saves the word timings and the storyboard beside the video."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
import pytest

from aivideo.cli.remote_generate import download_outputs
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.cli import cli_env, run_cli, serve_cli
from tests.support.finished_video import SERVED_FILES, finish_video
from tests.support.server import running_api


async def test_generate_with_server_saves_the_words_and_the_storyboard(tmp_path: Path) -> None:
    output = tmp_path / "out" / "water.mp4"
    await anyio.Path(output.parent).mkdir()
    text = "Water moves in a never-ending cycle. The sun warms the sea."
    async with serve_cli(cli_env(tmp_path / "server-data")) as base_url:
        code, out, err = await run_cli(
            cli_env(tmp_path / "client-data"), "generate", text,
            "--server", base_url, "-o", str(output), "--quality", "low",
        )  # fmt: skip

    assert code == 0, err
    words_file, scenes_file = output.with_suffix(".words.json"), output.with_suffix(".scenes.json")
    assert "word timings" in out + err and "storyboard" in out + err
    words = json.loads(await anyio.Path(words_file).read_text())["words"]
    assert [word["text"].strip(".,") for word in words] == text.replace(".", "").split()
    scenes = json.loads(await anyio.Path(scenes_file).read_text())["scenes"]
    assert " ".join(scene["narration"] for scene in scenes) == text
    assert scenes[0]["preview_url"].endswith("/scenes/0.jpg")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_server_without_them_still_gives_the_video_and_no_error(
    settings: Settings, resources: Resources, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "older.mp4"
    await anyio.Path(output.parent).mkdir()
    async with running_api(settings.model_copy(update={"render_slots": 0}), resources) as api:
        # A video with only the files an older server makes: no words.json, no storyboard.
        video_id = (await api.alice.post("/v1/videos", json={"text": "Older."})).json()["id"]
        await finish_video(resources, video_id, dict.fromkeys(SERVED_FILES.values(), b"x"))

        saved = await download_outputs(api.alice, video_id, output)

    assert list(saved) == ["video", "subtitles (SRT)", "subtitles (WebVTT)", "thumbnail"]
    assert sorted([path.name async for path in anyio.Path(output.parent).iterdir()]) == [
        "older.jpg", "older.mp4", "older.srt", "older.vtt",
    ]  # fmt: skip
