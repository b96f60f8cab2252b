"""``aivideo generate --scenes FILE.json``: a storyboard from a file, run as a person runs it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli, serve_cli
from tests.support.voice_files import add_voice, copy_bundled_model

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
        ('{"text": "Hi."}', "{path} holds a JSON object without `scenes`; write a list of"),
        ('"Hi."', "{path} holds a JSON string, not a list of scenes; write it like"),
        ('{"scenes": [{"text": "Hi."}], "voice": "joe"}', "{path}: unknown key 'voice': a "
         "storyboard object holds `scenes` and optionally `language`"),
        ('{"language": "es_ES", "scenes": [{"text": "Hi."}]}',
         "{path}: language: language must be a BCP-47 tag"),
        ("[]", "{path}: scenes: List should have at least 1 item"),
        ('[{"text": "Hi."}, {"text": "Yo.", "pictograms": ["x"]}]',
         "{path}: scenes[1].pictograms[0]: 'x' is not an emoji"),
        ('[{"text": "Hi.", "voice": "nobody"}]', "scenes[0].voice: unknown voice 'nobody'"),
    ],
    ids=[
        "missing", "not-json", "no-scenes", "not-a-list", "unknown-key", "bad-language", "empty",
        "not-an-emoji", "unknown-voice",
    ],
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


SPANISH_VOICE = "es_ES-prueba-medium"
IN_SPANISH = {"language": "es", "scenes": [{"text": "El sol y la lluvia."}]}


async def test_a_storyboard_file_may_give_the_videos_language(tmp_path: Path) -> None:
    voices = tmp_path / "voices"
    model = await asyncio.to_thread(copy_bundled_model, tmp_path)
    await add_voice(voices, model, SPANISH_VOICE)
    path = await _write(tmp_path / "board.json", json.dumps(IN_SPANISH))
    output = tmp_path / "es.mp4"
    env = cli_env(tmp_path / "data", AIVIDEO_VOICES_DIR=str(voices))

    code, _, err = await run_cli(
        env, "generate", "--scenes", str(path), "--voice", SPANISH_VOICE, "-o", str(output),
        "--quality", "low",
    )  # fmt: skip
    # The default voice speaks English: the file's language refuses it, --language wins.
    refused_code, _, refused = await run_cli(env, "generate", "--scenes", str(path))
    overridden_code, _, overridden = await run_cli(
        env, "generate", "--scenes", str(path), "--voice", SPANISH_VOICE, "--language", "de"
    )

    assert code == 0, err
    board = json.loads(await asyncio.to_thread(output.with_suffix(".scenes.json").read_text))
    assert {p["name"] for p in board["scenes"][0]["pictograms"]} == {"sol", "lluvia"}
    assert refused_code == 2 and "'joe' speaks en-US, and the video's language is es" in refused
    assert overridden_code == 2 and "speaks es-ES, and the video's language is de" in overridden
