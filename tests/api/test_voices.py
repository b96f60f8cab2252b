"""GET /v1/voices and the voices folder: what an operator drops in is offered as the API runs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import Api, running_api
from tests.support.video_state import wait_for_status
from tests.support.voice_files import add_voice, copy_bundled_model, remove_voice

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SPANISH = "es_ES-prueba-medium"
GERMAN = "de_DE-zweite-medium"
GERMAN_LANGUAGE = {"code": "de_DE", "name_english": "German", "country_english": "Germany"}


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
async def folder(tmp_path: Path, bundled_copy: Path) -> Path:
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    return folder


@pytest.fixture
async def voices_api(settings: Settings, resources: Resources, folder: Path) -> AsyncIterator[Api]:
    """The API with a voices folder, its embedded runner making the videos."""
    configured = settings.model_copy(update={"voices_dir": folder, "max_attempts": 1})
    async with running_api(configured, resources) as api:
        yield api


async def _voices(api: Api) -> dict[str, Any]:
    response = await api.alice.get("/v1/voices")
    assert response.status_code == 200, response.text
    listed: dict[str, Any] = response.json()
    return listed


async def test_the_voices_folder_is_listed_beside_the_bundled_voices(voices_api: Api) -> None:
    listed = await _voices(voices_api)

    assert listed["voices"] == [SPANISH, "heart", "joe"]
    assert listed["default"] == "joe"
    details = {voice["name"]: voice for voice in listed["details"]}
    assert {key: details[SPANISH][key] for key in ("engine", "language", "quality")} == {
        "engine": "piper", "language": "es-ES", "quality": "medium",
    }  # fmt: skip
    assert details[SPANISH]["word_timings"] == "aligned"
    assert details[SPANISH]["sample_rate"] == 22050
    assert (details["joe"]["language"], details["joe"]["word_timings"]) == ("en-US", "aligned")
    assert (details["heart"]["engine"], details["heart"]["word_timings"]) == (
        "hibari", "estimated",
    )  # fmt: skip


async def test_a_voice_added_while_the_api_runs_appears_and_a_removed_one_disappears(
    voices_api: Api, resources: Resources, folder: Path, bundled_copy: Path
) -> None:
    async def listed_with(name: str, present: bool) -> list[str] | None:
        names: list[str] = (await _voices(voices_api))["voices"]
        return names if (name in names) is present else None

    await add_voice(folder, bundled_copy, GERMAN, language=GERMAN_LANGUAGE, espeak="de")
    assert GERMAN in await wait_for(lambda: listed_with(GERMAN, True), 10)
    created = await voices_api.alice.post(
        "/v1/videos", json={"text": "Hallo. Wasser fließt.", "voice": GERMAN, "quality": "low"}
    )
    assert created.status_code == 202, created.text
    video = await wait_for_status(resources, created.json()["id"], "completed", "failed")
    assert video.status == "completed", video.error_message

    await remove_voice(folder, SPANISH)
    assert SPANISH not in await wait_for(lambda: listed_with(SPANISH, False), 10)
    refused = await voices_api.alice.post("/v1/videos", json={"text": "Hola.", "voice": SPANISH})
    assert refused.status_code == 422
    assert f"unknown voice {SPANISH!r}" in refused.text


async def test_a_broken_voice_file_is_skipped_and_the_others_are_listed(
    voices_api: Api, folder: Path, bundled_copy: Path
) -> None:
    def break_one() -> None:
        (folder / "broken.onnx.json").write_text("{not json", encoding="utf-8")
        (folder / "broken.onnx").write_bytes(b"")

    await asyncio.to_thread(break_one)
    # A good voice added after it: once that one is listed, the broken one was looked at.
    await add_voice(folder, bundled_copy, GERMAN, language=GERMAN_LANGUAGE, espeak="de")

    async def with_german() -> list[str] | None:
        names: list[str] = (await _voices(voices_api))["voices"]
        return names if GERMAN in names else None

    assert await wait_for(with_german, 10) == [GERMAN, SPANISH, "heart", "joe"]
    refused = await voices_api.alice.post("/v1/videos", json={"text": "Hi.", "voice": "broken"})
    assert refused.status_code == 422


async def test_a_spanish_video_spoken_by_a_voice_of_the_folder_completes(
    voices_api: Api, resources: Resources
) -> None:
    created = await voices_api.alice.post(
        "/v1/videos",
        json={
            "text": "Hola. ¿Adónde va el agua? ¡Al mar!",
            "voice": SPANISH,
            "language": "es",
            "quality": "low",
        },
    )
    assert created.status_code == 202, created.text

    video = await wait_for_status(resources, created.json()["id"], "completed", "failed")
    assert video.status == "completed", video.error_message
    got = (await voices_api.alice.get(f"/v1/videos/{video.id}")).json()
    assert (got["voice"], got["language"]) == (SPANISH, "es")
    assert video.duration_seconds is not None and video.duration_seconds > 1
    # A cue per sentence, found by Spanish rules (¿...? and ¡...! are sentences of their own).
    vtt = (await voices_api.alice.get(f"/v1/videos/{video.id}/subtitles.vtt")).text
    cues = [block.splitlines()[-1] for block in vtt.split("\n\n")[1:] if "-->" in block]
    assert cues == ["Hola.", "¿Adónde va el agua?", "¡Al mar!"]
    (scene,) = (await voices_api.alice.get(f"/v1/videos/{video.id}/scenes")).json()["scenes"]
    assert scene["narration"] == "Hola. ¿Adónde va el agua? ¡Al mar!"
    assert {"agua", "mar"} <= {pictogram["name"] for pictogram in scene["pictograms"]}


async def test_a_storyboard_in_spanish_is_said_and_pictured_in_spanish(
    voices_api: Api, resources: Resources
) -> None:
    created = await voices_api.alice.post(
        "/v1/videos",
        json={
            "scenes": [{"text": "El sol brilla."}, {"text": "Cae la lluvia.", "voice": SPANISH}],
            "voice": SPANISH,
            "language": "es",
            "quality": "low",
        },
    )
    assert created.status_code == 202, created.text

    video = await wait_for_status(resources, created.json()["id"], "completed", "failed")
    assert video.status == "completed", video.error_message
    board = (await voices_api.alice.get(f"/v1/videos/{video.id}/scenes")).json()
    pictured = [[p["name"] for p in scene["pictograms"]] for scene in board["scenes"]]
    assert pictured == [["sol"], ["lluvia"]]


@pytest.fixture
async def checking_api(
    settings: Settings, resources: Resources, folder: Path
) -> AsyncIterator[Api]:
    """The API with a voices folder, making no videos: each create is only checked."""
    configured = settings.model_copy(update={"voices_dir": folder, "render_slots": 0})
    async with running_api(configured, resources) as api:
        yield api


@pytest.mark.parametrize(
    ("request_body", "field", "voice_speaks", "asked"),
    [
        ({"language": "es"}, "voice", "en-US", "es"),  # the default voice, joe
        ({"language": "de-DE", "voice": SPANISH}, "voice", "es-ES", "de-DE"),
        ({"language": "fr", "voice": "heart"}, "voice", "en-US", "fr"),
        (
            {"language": "es", "voice": SPANISH, "scenes": [{"text": "Hi.", "voice": "joe"}]},
            "scenes[0].voice",
            "en-US",
            "es",
        ),
    ],
)
async def test_a_voice_that_speaks_another_language_is_refused_naming_both(
    checking_api: Api, request_body: dict[str, Any], field: str, voice_speaks: str, asked: str
) -> None:
    body = {"text": "Hola.", **request_body}
    if "scenes" in body:
        del body["text"]

    refused = await checking_api.alice.post("/v1/videos", json=body)

    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert message.startswith(f"{field}: the voice ")
    assert f"speaks {voice_speaks}, and the video's language is {asked}" in message


async def test_a_language_matches_by_its_primary_subtag(checking_api: Api) -> None:
    for language in ("es", "es-MX", "ES"):
        created = await checking_api.alice.post(
            "/v1/videos", json={"text": "Hola.", "voice": SPANISH, "language": language}
        )
        assert created.status_code == 202, (language, created.text)


async def test_a_malformed_language_tag_is_refused(checking_api: Api) -> None:
    refused = await checking_api.alice.post(
        "/v1/videos", json={"text": "Hola.", "language": "es_ES"}
    )

    assert refused.status_code == 422
    assert "language must be a BCP-47 tag" in refused.text


async def test_the_openapi_document_names_the_voices_of_the_folder(voices_api: Api) -> None:
    await _voices(voices_api)  # a look at the folder

    schema = (await voices_api.alice.get("/openapi.json")).json()

    voice = schema["components"]["schemas"]["VideoCreate"]["properties"]["voice"]
    assert SPANISH in voice["anyOf"][0]["enum"]
