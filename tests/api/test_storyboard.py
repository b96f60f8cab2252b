"""The storyboard and the word timings of a video, through the API."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import update

from aivideo.core import outputs
from aivideo.db.models import Video
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import Api
from tests.support.storyboard_files import (
    STORYBOARD,
    TWEMOJI,
    WORDS,
    preview_jpeg,
    write_files,
    write_storyboard,
)


async def _put(resources: Resources, video_id: str, files: dict[str, bytes]) -> None:
    folder = outputs.video_folder(resources.storage_dir, video_id)
    await asyncio.to_thread(write_files, folder, files)


async def _storyboarded_video(api: Api, resources: Resources) -> tuple[str, bytes]:
    """A video made through the API, with its storyboard, words and previews in its folder."""
    video_id = (await api.alice.post("/v1/videos", json={"text": "Water moves."})).json()["id"]
    preview = await asyncio.to_thread(preview_jpeg)
    folder = outputs.video_folder(resources.storage_dir, video_id)
    await asyncio.to_thread(write_storyboard, folder, preview)
    return video_id, preview


async def _set_running(resources: Resources, video_id: str, progress: int) -> None:
    async with resources.sessions() as session:
        await session.execute(
            update(Video).where(Video.id == video_id).values(status="running", progress=progress)
        )
        await session.commit()


async def test_a_video_without_a_storyboard_yet_is_404_saying_where_it_is(
    api: Api, resources: Resources
) -> None:
    video_id = (await api.alice.post("/v1/videos", json={"text": "Not yet."})).json()["id"]
    queued = await api.alice.get(f"/v1/videos/{video_id}/scenes")
    await _set_running(resources, video_id, 40)

    scenes = await api.alice.get(f"/v1/videos/{video_id}/scenes")
    words = await api.alice.get(f"/v1/videos/{video_id}/words.json")
    preview = await api.alice.get(f"/v1/videos/{video_id}/scenes/0.jpg")

    assert queued.status_code == 404
    assert queued.json()["error"]["message"] == (
        f"video {video_id} has no storyboard yet: it is queued"
    )
    assert scenes.status_code == 404
    assert scenes.json()["error"]["message"] == (
        f"video {video_id} has no storyboard yet: it is running, 40%"
    )
    assert words.status_code == 404
    assert words.json()["error"]["message"].endswith("has no words.json yet: it is running, 40%")
    assert preview.status_code == 404
    assert preview.json()["error"]["message"].endswith("has no scene-0.jpg yet: it is running, 40%")


async def test_the_storyboard_lists_each_scene_with_a_link_to_its_picture(
    api: Api, resources: Resources
) -> None:
    video_id, preview = await _storyboarded_video(api, resources)

    response = await api.alice.get(f"/v1/videos/{video_id}/scenes")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    base = f"/v1/videos/{video_id}"
    expected = [
        {key: value for key, value in scene.items() if key != "preview"}
        | {"preview_url": f"{base}/scenes/{scene['index']}.jpg"}
        for scene in STORYBOARD["scenes"]
    ]
    assert response.json() == {"scenes": expected, "credits": [TWEMOJI]}
    picture = await api.alice.get(response.json()["scenes"][0]["preview_url"])
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/jpeg"
    assert picture.content == preview


async def test_the_word_timings_are_served_as_json(api: Api, resources: Resources) -> None:
    video_id, _ = await _storyboarded_video(api, resources)

    response = await api.alice.get(f"/v1/videos/{video_id}/words.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == WORDS


async def test_another_users_storyboard_is_not_found_like_a_missing_video(
    api: Api, resources: Resources
) -> None:
    video_id, _ = await _storyboarded_video(api, resources)
    missing = (await api.bob.get(f"/v1/videos/{video_id}")).json()

    for path in ("scenes", "scenes/0.jpg", "words.json"):
        response = await api.bob.get(f"/v1/videos/{video_id}/{path}")
        assert response.status_code == 404, path
        assert response.json() == missing, path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_scene_picture_is_asked_for_by_its_number_only(
    api: Api, resources: Resources
) -> None:
    video_id, _ = await _storyboarded_video(api, resources)
    await _put(resources, video_id, {"secret.jpg": b"not for the API"})
    base = f"/v1/videos/{video_id}/scenes"

    negative = await api.alice.get(f"{base}/-1.jpg")
    a_name = await api.alice.get(f"{base}/secret.jpg")
    a_path = await api.alice.get(f"{base}/..%2F..%2F{video_id}%2Fsecret.jpg")
    beyond = await api.alice.get(f"{base}/2.jpg")

    assert negative.status_code == 422
    assert negative.json()["error"]["message"].startswith("index: ")
    assert a_name.status_code == 422
    assert a_path.status_code in (404, 422) and b"not for the API" not in a_path.content
    assert beyond.status_code == 404
    assert beyond.json()["error"]["message"].endswith("has no scene-2.jpg yet: it is queued")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"scenes": [{"index": 0', "it is not JSON"),
        (b"\xff\xfe not text", "it is not JSON"),
        (json.dumps({**STORYBOARD, "scenes": [{}]}).encode(), "scenes[0].index: Field required"),
        (
            json.dumps({"scenes": [STORYBOARD["scenes"][0] | {"visual": "hologram"}]}).encode(),
            "scenes[0].visual: Input should be 'user_media'",
        ),
        (
            json.dumps({"scenes": [STORYBOARD["scenes"][0] | {"end": float("inf")}]}).encode(),
            "scenes[0].end: Input should be a finite number",
        ),
    ],
    ids=["cut-short", "not-utf8", "no-index", "unknown-visual", "infinite-end"],
)
async def test_a_damaged_storyboard_is_a_conflict_saying_what_is_wrong(
    api: Api, resources: Resources, content: bytes, problem: str
) -> None:
    video_id = (await api.alice.post("/v1/videos", json={"text": "Damaged."})).json()["id"]
    await _put(resources, video_id, {outputs.STORYBOARD: content})

    response = await api.alice.get(f"/v1/videos/{video_id}/scenes")

    assert response.status_code == 409
    message = response.json()["error"]["message"]
    assert message.startswith(f"the storyboard of video {video_id} is damaged: {problem}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_openapi_document_describes_the_storyboard(api: Api) -> None:
    document = (await api.anonymous.get("/openapi.json")).json()

    paths = document["paths"]
    for path in ("scenes", "scenes/{index}.jpg", "words.json"):
        assert "get" in paths[f"/v1/videos/{{video_id}}/{path}"], path
    answer = paths["/v1/videos/{video_id}/scenes"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StoryboardPublic"
    }
    index = paths["/v1/videos/{video_id}/scenes/{index}.jpg"]["get"]["parameters"]
    assert {"type": "integer", "minimum": 0}.items() <= next(
        p["schema"] for p in index if p["name"] == "index"
    ).items()
    schemas = document["components"]["schemas"]
    scene = schemas["StoryboardScene"]["properties"]
    assert scene["visual"]["enum"] == ["user_media", "media_urls", "stock", "pictograms", "painted"]
    assert {"preview_url", "narration", "pictograms", "headline"} <= scene.keys()
    assert set(schemas["PictogramPublic"]["properties"]) == {"emoji", "name"}


async def _made(api: Api, video_id: str) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        video: dict[str, Any] = (await api.alice.get(f"/v1/videos/{video_id}")).json()
        return video if video["status"] in ("completed", "failed") else None

    return await wait_for(finished)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_made_video_keeps_its_own_storyboard_and_word_timings(rendering_api: Api) -> None:
    api = rendering_api
    text = "Water moves in a never-ending cycle. The sun warms the sea."
    created = await api.alice.post("/v1/videos", json={"text": text, "quality": "low"})
    video_id = created.json()["id"]
    video = await _made(api, video_id)
    assert video["status"] == "completed", video["error"]

    storyboard = (await api.alice.get(f"/v1/videos/{video_id}/scenes")).json()
    words = (await api.alice.get(f"/v1/videos/{video_id}/words.json")).json()["words"]

    scenes = storyboard["scenes"]
    assert " ".join(scene["narration"] for scene in scenes) == text
    assert [scene["index"] for scene in scenes] == list(range(len(scenes)))
    assert scenes[0]["start"] == 0
    assert scenes[-1]["end"] == pytest.approx(video["output"]["duration_seconds"], abs=0.5)
    for scene in scenes:
        assert scene["preview_url"] == f"/v1/videos/{video_id}/scenes/{scene['index']}.jpg"
        picture = await api.alice.get(scene["preview_url"])
        assert picture.headers["content-type"] == "image/jpeg"
        assert picture.content[:2] == b"\xff\xd8"
    assert [word["text"].strip(".,") for word in words] == text.replace(".", "").split()
    assert all(0 <= w["start"] < w["end"] <= scenes[-1]["end"] + 0.5 for w in words)
