"""A video's ``metadata``: JSON every database stores, or a 422 saying what is wrong."""

from __future__ import annotations

import json

import pytest

from tests.support.server import Api


def _nested(levels: int) -> str:
    """``{"a": [[...]]}``: the metadata object and lists inside it, ``levels`` in all."""
    return '{"a": ' + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "}"


@pytest.mark.parametrize(
    ("metadata", "says"),
    [
        ('{"score": NaN}', "holds NaN or an infinite number"),
        ('{"scores": [1, {"best": Infinity}]}', "holds NaN or an infinite number"),
        ('{"big": -1e400}', "holds NaN or an infinite number"),
        (_nested(9), "is nested too deeply: at most 8 levels"),
    ],
)
async def test_metadata_json_cannot_store_is_422_on_every_database(
    api: Api, metadata: str, says: str
) -> None:
    # Python's json reads NaN, Infinity and 1e400; JSON has no such numbers.
    body = f'{{"text": "Numbers.", "metadata": {metadata}}}'.encode()

    response = await api.alice.post(
        "/v1/videos", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"metadata: metadata {says}")
    assert (await api.alice.get("/v1/videos")).json()["items"] == []


async def test_metadata_nested_eight_levels_is_kept(api: Api) -> None:
    metadata = json.loads(_nested(8))

    created = await api.alice.post("/v1/videos", json={"text": "Deep.", "metadata": metadata})

    assert created.status_code == 202, created.text
    video = (await api.alice.get(f"/v1/videos/{created.json()['id']}")).json()
    assert video["metadata"] == metadata


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_body_nested_too_deeply_to_parse_is_422(api: Api) -> None:
    body = b'{"text": "Deep.", "metadata": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"

    response = await api.alice.post(
        "/v1/videos", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith("body: the JSON is nested too deeply")
