"""Bad requests get a clear 4xx in one JSON shape, never a 500."""

from __future__ import annotations

import pytest

from tests.support.server import Api


async def test_missing_key_is_401_saying_how_to_get_one(api: Api) -> None:
    response = await api.anonymous.get("/v1/videos")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "aivideo keys create" in response.json()["error"]["message"]


async def test_wrong_key_is_401(api: Api) -> None:
    response = await api.anonymous.get(
        "/v1/videos", headers={"Authorization": "Bearer av_not-a-real-key"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "authorization", ["av_a-key-without-its-scheme", "Basic YWxpY2U6c2VjcmV0", "Bearer"]
)
async def test_an_authorization_that_is_not_a_bearer_key_is_401(
    api: Api, authorization: str
) -> None:
    response = await api.anonymous.get("/v1/videos", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert "aivideo keys create" in response.json()["error"]["message"]


async def test_the_key_scheme_is_case_insensitive_as_http_says(api: Api) -> None:
    key = api.alice.headers["authorization"].split(" ", 1)[1]

    response = await api.anonymous.get("/v1/videos", headers={"Authorization": f"bEaReR {key}"})

    assert response.status_code == 200


async def test_every_operation_documented_as_taking_a_key_refuses_a_request_without_one(
    api: Api,
) -> None:
    document = (await api.anonymous.get("/openapi.json")).json()
    some_id = "01a22000-0000-7000-8000-000000000000"
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "security" not in operation:
                continue
            url = path.replace("{video_id}", some_id).replace("{index}", "0")
            response = await api.anonymous.request(method.upper(), url)
            assert response.status_code == 401, (method, path, response.text)
            checked += 1
    assert checked >= 20  # every /v1/ operation


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),  # neither `text` nor `prompt`: the message says to send one
        ({"text": ""}, "text"),
        ({"text": "   \n "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": "hi", "quality": "4k"}, "quality"),
        ({"text": "hi", "format": "avi"}, "format"),
        ({"text": "hi", "subtitles": "maybe"}, "subtitles"),
        ({"text": "hi", "caption_style": "bouncy"}, "caption_style"),
        ({"text": "hi", "visuals": "video"}, "visuals"),
        # This server has no stock footage library: asking for it cannot be met.
        ({"text": "hi", "visuals": "stock"}, "visuals"),
        ({"text": "hi", "webhook_url": "ftp://example.com/hook"}, "webhook_url"),
        ({"text": "hi", "metadata": {"blob": "x" * 5000}}, "metadata"),
        ({"text": "hi", "metadata": [1, 2]}, "metadata"),
        ({"text": "hi", "colour": "red"}, "colour"),
        ({"text": "hi\u0000there"}, "text"),  # PostgreSQL's text cannot hold NUL
        ({"text": "hi", "title": "a\u0000b"}, "title"),
    ],
)
async def test_invalid_video_is_422_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    response = await api.alice.post("/v1/videos", json=body)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["message"].startswith(f"{field}:")
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


async def test_body_that_is_not_json_is_422(api: Api) -> None:
    response = await api.alice.post(
        "/v1/videos", content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert "not valid JSON" in response.json()["error"]["message"]


async def test_wrong_content_type_is_415(api: Api) -> None:
    response = await api.alice.post(
        "/v1/videos", content=b"text=hello", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert "application/json" in response.json()["error"]["message"]


async def test_body_too_large_is_413(api: Api) -> None:
    response = await api.alice.post("/v1/videos", json={"text": "x" * 3_000_000})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_body_too_large_without_content_length_is_413(api: Api) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(30):
            yield b"x" * 100_000

    response = await api.alice.post(
        "/v1/videos", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413


async def test_bad_cursor_is_422(api: Api) -> None:
    response = await api.alice.get("/v1/videos", params={"cursor": "%%%"})

    assert response.status_code == 422
    assert "cursor" in response.json()["error"]["message"]


async def test_bad_limit_and_status_are_422(api: Api) -> None:
    assert (await api.alice.get("/v1/videos", params={"limit": 0})).status_code == 422
    response = await api.alice.get("/v1/videos", params={"status": "done"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("status:")


async def test_unknown_route_is_404_in_the_same_shape(api: Api) -> None:
    response = await api.alice.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith(
        "there is no endpoint GET /v1/nothing-here"
    )


async def test_too_long_idempotency_key_is_422(api: Api) -> None:
    response = await api.alice.post(
        "/v1/videos", json={"text": "hi"}, headers={"Idempotency-Key": "k" * 256}
    )

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["message"]
