"""``aivideo voices``, and ``generate --voice`` with a voice of AIVIDEO_VOICES_DIR."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli
from tests.support.probe import probe_video
from tests.support.voice_files import add_voice, copy_bundled_model

SPANISH = "es_ES-prueba-medium"


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


async def test_voices_lists_the_bundled_voices_and_the_folder_s(
    tmp_path: Path, bundled_copy: Path
) -> None:
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    await asyncio.to_thread((folder / "broken.onnx.json").write_text, "{}")
    env = cli_env(tmp_path / "data", AIVIDEO_VOICES_DIR=str(folder))

    code, table, err = await run_cli(env, "voices")
    json_code, listed, _ = await run_cli(env, "voices", "--json")

    assert code == 0, err
    rows = [line.split() for line in table.splitlines()]
    assert rows[0] == ["name", "engine", "language", "quality", "word", "timings"]
    assert rows[1:] == [
        [SPANISH, "piper", "es-ES", "medium", "aligned"],
        ["heart", "hibari", "en-US", "-", "estimated"],
        ["joe", "piper", "en-US", "medium", "aligned", "default"],
    ]
    assert f"skipped the voice file {folder / 'broken.onnx.json'}" in err
    assert json_code == 0
    assert json.loads(listed)["voices"] == [SPANISH, "heart", "joe"]


async def test_generate_speaks_spanish_with_a_voice_of_the_folder(
    tmp_path: Path, bundled_copy: Path
) -> None:
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    output = tmp_path / "hola.mp4"

    code, _, err = await run_cli(
        cli_env(tmp_path / "data", AIVIDEO_VOICES_DIR=str(folder)), "generate", "Hola. Adiós.",
        "--voice", SPANISH, "--language", "es", "--quality", "low", "-o", str(output),
    )  # fmt: skip

    assert code == 0, err
    assert (await asyncio.to_thread(probe_video, output)).audio_codec == "aac"


async def test_generate_refuses_a_voice_of_another_language_naming_both(tmp_path: Path) -> None:
    code, _, err = await run_cli(
        cli_env(tmp_path / "data"), "generate", "Hola.", "--language", "es", "-o",
        str(tmp_path / "no.mp4"),
    )  # fmt: skip

    assert code == 2
    assert "the voice 'joe' speaks en-US, and the video's language is es" in err
