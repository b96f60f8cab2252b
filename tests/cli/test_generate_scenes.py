"""``aivideo generate --scenes FILE.json``: a storyboard from a file, run as a person runs it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli, serve_cli

SCENES = [
    {"text": "Water moves.", "pictograms": ["💧"], "headline": "Water"},
    {"text": "One. Two. Three. Four.", "min_seconds": 5},
]


async def _write(path: Path, content: str) -> Path:
    await asyncio.to_thread(path.write_text, content, encoding="utf-8")
    return path


async def test_a_storyboard_file_makes_its_scenes(tmp_path: Path) -> None:
    scenes = await _write(tmp_path / "board.json", json.dumps(SCENES, ensure_ascii=False))
    output = tmp_path / "board.mp4"

    code, _, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "--scenes", str(scenes), "-o", str(output),
        "--quality", "low",
    )  # fmt: skip

    assert code == 0, err
    board = json.loads(await asyncio.to_thread(output.with_suffix(".scenes.json").read_text))
    made = board["scenes"]
    assert [scene["narration"] for scene in made] == [scene["text"] for scene in SCENES]
    assert [p["emoji"] for p in made[0]["pictograms"]] == ["💧"]
    assert made[0]["headline"] == "Water"
    assert made[1]["end"] - made[1]["start"] >= 5 - 0.002


async def test_a_storyboard_file_is_made_by_a_server_too(tmp_path: Path) -> None:
    scenes = [{"text": "A server made this.", "headline": "Served"}, {"text": "Then I got it."}]
    path = await _write(tmp_path / "board.json", json.dumps(scenes))
    output = tmp_path / "remote.mp4"

    async with serve_cli(cli_env(tmp_path / "server-data")) as base_url:
        code, _, err = await run_cli(
            cli_env(tmp_path / "client-data"), "generate", "--scenes", str(path),
            "--server", base_url, "-o", str(output), "--quality", "low",
        )  # fmt: skip

    assert code == 0, err
    board = json.loads(await asyncio.to_thread(output.with_suffix(".scenes.json").read_text))
    assert [scene["narration"] for scene in board["scenes"]] == [s["text"] for s in scenes]
    assert board["scenes"][0]["headline"] == "Served"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: there is no such file"),
        ('[{"text": "Hi."', "{path} is not valid JSON (Expecting"),
        ('{"text": "Hi."}', "{path} holds a JSON object, not a list of scenes; write it like"),
        ("[]", "{path}: scenes: List should have at least 1 item"),
        ('[{"text": "Hi."}, {"text": "Yo.", "pictograms": ["x"]}]',
         "{path}: scenes[1].pictograms[0]: 'x' is not an emoji"),
        ('[{"text": "Hi.", "voice": "nobody"}]', "scenes[0].voice: unknown voice 'nobody'"),
    ],
    ids=["missing", "not-json", "not-a-list", "empty", "not-an-emoji", "unknown-voice"],
)  # fmt: skip
async def test_a_bad_storyboard_file_is_one_clear_line(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "board.json"
    if content is not None:
        await _write(path, content)

    code, _, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "--scenes", str(path), "-o",
        str(tmp_path / "x.mp4"),
    )  # fmt: skip

    assert code == 2
    assert err.startswith("aivideo: ") and len(err.strip().splitlines()) == 1, err
    assert message.format(path=path) in err


async def test_scenes_and_a_narration_together_are_refused(tmp_path: Path) -> None:
    path = await _write(tmp_path / "board.json", json.dumps(SCENES))

    code, _, err = await run_cli(cli_env(tmp_path), "generate", "Hello.", "--scenes", str(path))

    assert code == 2
    assert "give a narration, --prompt or --scenes: only one of them" in err
