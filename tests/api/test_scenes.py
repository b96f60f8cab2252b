"""Videos from an explicit storyboard (``scenes``), through the API."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image, ImageStat
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for
from tests.support.server import Api, running_api, serve_on_loopback

RED = (220, 30, 30)
SCENES: list[dict[str, Any]] = [
    {"text": "Water moves.", "headline": "Water", "pictograms": ["💧", "🔁"]},
    # Four sentences: more than a scene of plain text holds, and still one scene.
    {"text": "One. Two. Three. Four.", "media_url": "", "min_seconds": 7},
    {"text": "Rain falls.", "headline": "Rain"},
]


def _red_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 400), RED).save(buffer, format="JPEG")
    return buffer.getvalue()


def _mean_colour(jpeg: bytes) -> tuple[float, ...]:
    with Image.open(io.BytesIO(jpeg)) as picture:
        return tuple(ImageStat.Stat(picture.convert("RGB")).mean)


@pytest.fixture
async def picture_url() -> AsyncIterator[str]:
    """A red photo, served by a web server on loopback."""
    photo = await asyncio.to_thread(_red_jpeg)

    async def serve(_request: Request) -> Response:
        return Response(photo, media_type="image/jpeg")

    async with serve_on_loopback(Starlette(routes=[Route("/red.jpg", serve)])) as base_url:
        yield f"{base_url}/red.jpg"


@pytest.fixture
async def loopback_media_api(settings: Settings, resources: Resources) -> AsyncIterator[Api]:
    """The API making videos, allowed to download from loopback (where the picture is)."""
    allowed = settings.model_copy(update={"allow_private_urls": True})
    async with running_api(allowed, resources) as api:
        yield api


async def _made(api: Api, video_id: str) -> dict[str, Any]:
    async def finished() -> dict[str, Any] | None:
        video: dict[str, Any] = (await api.alice.get(f"/v1/videos/{video_id}")).json()
        return video if video["status"] in ("completed", "failed") else None

    return await wait_for(finished)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_storyboard_video_has_the_scenes_sent_one_each_in_order(
    loopback_media_api: Api, picture_url: str
) -> None:
    api = loopback_media_api
    scenes = [SCENES[0], SCENES[1] | {"media_url": picture_url}, SCENES[2]]
    created = await api.alice.post("/v1/videos", json={"scenes": scenes, "quality": "low"})
    assert created.status_code == 202, created.text
    video = await _made(api, created.json()["id"])
    assert video["status"] == "completed", video["error"]

    board = (await api.alice.get(f"/v1/videos/{video['id']}/scenes")).json()["scenes"]

    assert [scene["narration"] for scene in board] == [scene["text"] for scene in scenes]
    assert [scene["headline"] for scene in board] == ["Water", None, "Rain"]
    assert [p["emoji"] for p in board[0]["pictograms"]] == ["💧", "🔁"]
    assert board[1]["visual"] == "media_urls"
    assert board[1]["end"] - board[1]["start"] >= 7 - 0.002
    shown = (await api.alice.get(board[1]["preview_url"])).content
    red, green, blue = await asyncio.to_thread(_mean_colour, shown)
    assert red > 150 and green < 90 and blue < 90  # the linked photo, not a painted one
    assert board[-1]["end"] == pytest.approx(video["output"]["duration_seconds"], abs=0.5)
    assert video["text"] == "Water moves.\n\nOne. Two. Three. Four.\n\nRain falls."


async def test_a_storyboard_is_stored_and_shown_as_it_was_sent(api: Api) -> None:
    scenes = [
        {"text": "Water moves.", "pictograms": ["💧"], "headline": "Water", "voice": "joe"},
        {"text": "It rises.", "media_url": "https://example.com/cloud.jpg", "min_seconds": 4.5},
    ]

    created = await api.alice.post("/v1/videos", json={"scenes": scenes})

    assert created.status_code == 202, created.text
    video = created.json()
    assert video["text"] == "Water moves.\n\nIt rises."
    expected = [
        {"media_url": None, "pictograms": [], "headline": None, "min_seconds": None, "voice": None}
        | scene
        for scene in scenes
    ]
    assert video["scenes"] == expected
    assert video["prompt"] is None and video["media_urls"] == []
    fetched = (await api.alice.get(f"/v1/videos/{video['id']}")).json()
    assert fetched == video
    listed = (await api.alice.get("/v1/videos")).json()["items"]
    assert [item["text"] for item in listed] == [video["text"]]


def _scenes(count: int) -> list[dict[str, Any]]:
    return [{"text": f"Scene {number}."} for number in range(count)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"scenes": [*_scenes(1), {"text": "Hi.", "media_url": "ftp://example.com/a.jpg"}]},
            "scenes[1].media_url: URL scheme should be 'http' or 'https'",
        ),
        (
            {"scenes": [{"text": "Hi.", "media_url": "not a url"}]},
            "scenes[0].media_url: Input should be a valid URL",
        ),
        (
            {"scenes": [{"text": "Hi.", "pictograms": ["💧", "rain"]}]},
            "scenes[0].pictograms[1]: 'rain' is not an emoji: give one emoji per entry",
        ),
        (
            {"scenes": [{"text": "Hi.", "pictograms": ["💧🔁"]}]},
            "scenes[0].pictograms[0]: '💧🔁' is not an emoji",
        ),
        (
            {"scenes": [*_scenes(2), {"text": "   "}]},
            "scenes[2].text: must contain something to narrate, not only spaces",
        ),
        (
            {"scenes": [{"text": "🎉 !"}]},
            "scenes[0].text: has nothing to narrate: it needs words or numbers",
        ),
        ({"scenes": _scenes(101)}, "scenes: List should have at most 100 items"),
        ({"scenes": []}, "scenes: List should have at least 1 item"),
        (
            {"scenes": [{"text": "Hi.", "min_seconds": 61}]},
            "scenes[0].min_seconds: Input should be less than or equal to 60",
        ),
        (
            {"scenes": [{"text": "Held.", "min_seconds": 60}] * 31},
            "scenes: the scenes' min_seconds add up to 1860 s; at most 1800 (30 minutes) in all",
        ),
        (
            {"scenes": [{"text": "a" * 10_000}] * 3},
            "scenes: the scenes' texts have 30004 characters together; at most 20000",
        ),
        (
            {"scenes": [{"text": "Hi.", "headline": "Two\nlines"}]},
            "scenes[0].headline: must be one line of text",
        ),
        (
            {"scenes": [{"text": "Hi.", "media_url": "https://example.com/a.jpg",
                         "pictograms": ["💧"]}]},
            "scenes[0]: a scene shows its `media_url` or its `pictograms`, not both",
        ),  # fmt: skip
        (
            {"scenes": [{"text": "Hi.", "colour": "red"}]},
            "scenes[0].colour: Extra inputs are not permitted",
        ),
        (
            {"text": "Hi.", "scenes": _scenes(1)},
            "body: send only one of `text`, `prompt` or `scenes`, not `text` and `scenes` together",
        ),
        (
            {"prompt": "Rain.", "scenes": _scenes(1)},
            "not `prompt` and `scenes` together",
        ),
        (
            {"scenes": [*_scenes(1), {"text": "Hi.", "voice": "nobody"}]},
            "scenes[1].voice: unknown voice 'nobody'; installed voices: heart, joe",
        ),
        (
            {"scenes": _scenes(1), "media_urls": ["https://example.com/a.jpg"]},
            "media_urls: a video made of `scenes` shows each scene's own `media_url`",
        ),
    ],
    ids=[
        "media-url-scheme", "media-url-not-a-url", "not-an-emoji", "two-emoji", "blank-text",
        "nothing-to-say", "too-many", "none", "held-too-long", "held-too-long-in-all",
        "too-long-together", "headline-two-lines",
        "picture-and-pictograms", "unknown-field", "text-and-scenes", "prompt-and-scenes",
        "unknown-voice", "media-urls-beside-scenes",
    ],
)  # fmt: skip
async def test_a_wrong_storyboard_is_refused_naming_the_scene_and_field(
    api: Api, body: dict[str, Any], problem: str
) -> None:
    response = await api.alice.post("/v1/videos", json=body)

    assert response.status_code == 422
    assert problem in response.json()["error"]["message"]
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_batch_names_the_video_and_the_scene(api: Api) -> None:
    storyboard = {"scenes": [*_scenes(2), {"text": "Hi.", "voice": "x"}]}
    batch = {"videos": [{"text": "Fine."}, storyboard]}

    response = await api.alice.post("/v1/videos/batch", json=batch)

    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("videos[1].scenes[2].voice: unknown")
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_idempotency_key_tells_storyboards_apart(api: Api) -> None:
    headers = {"Idempotency-Key": "board-1"}
    body = {"scenes": _scenes(2)}
    first = await api.alice.post("/v1/videos", json=body, headers=headers)
    again = await api.alice.post("/v1/videos", json=body, headers=headers)
    other = await api.alice.post("/v1/videos", json={"scenes": _scenes(3)}, headers=headers)

    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert "Idempotency-Key" in other.json()["error"]["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_openapi_document_describes_scenes(api: Api) -> None:
    schemas = (await api.anonymous.get("/openapi.json")).json()["components"]["schemas"]

    ways_in = [branch["required"] for branch in schemas["VideoCreate"]["oneOf"]]
    assert ways_in == [["text"], ["prompt"], ["scenes"]]
    scene = schemas["SceneCreate"]
    assert set(scene["properties"]) == {
        "text", "media_url", "pictograms", "headline", "min_seconds", "voice"
    }  # fmt: skip
    assert scene["required"] == ["text"]
