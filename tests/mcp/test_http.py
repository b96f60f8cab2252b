"""MCP over streamable HTTP at ``serve``'s ``/mcp``, driven by the official MCP client."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

# Both read files as they are first imported (the MCP client's jsonschema, its
# meta-schemas; httpx2's transport, package metadata): here, before any event loop.
import httpcore2  # noqa: F401
import httpx
import httpx2
import jsonschema_specifications  # noqa: F401
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from aivideo.api.app import create_app
from aivideo.auth.service import revoke_api_keys
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.finished_video import finish_video
from tests.support.server import Api, serve_on_loopback

pytestmark = pytest.mark.timeout(120)

TOOLS = {"create_video", "get_video", "list_videos", "cancel_video", "list_voices"}
SHORT = {"text": "Rain falls. Rivers run.", "quality": "low"}


def key_of(user: httpx.AsyncClient) -> str:
    return user.headers["authorization"].removeprefix("Bearer ")


# Not a fixture: the client's task group must be left in the task that entered it.
@asynccontextmanager
async def connected(base_url: str, key: str | None) -> AsyncIterator[Client]:
    """An MCP client of ``{base_url}/mcp``, sending ``key`` as the API's clients do."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=90)) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        async with Client(transport, read_timeout_seconds=90) as client:
            yield client


async def _call(agent: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await agent.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def _refusal(agent: Client, tool: str, **arguments: Any) -> str:
    result = await agent.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text  # type: ignore[union-attr]


async def _until_finished(agent: Client, video_id: str) -> dict[str, Any]:
    with anyio.fail_after(90):
        while True:
            video = await _call(agent, "get_video", video_id=video_id)
            if video["status"] not in ("queued", "running"):
                return video
            await anyio.sleep(0.2)


async def _resource(agent: Client, uri: str) -> Any:
    (content,) = (await agent.read_resource(uri)).contents
    return content


def _refused_connection() -> pytest.RaisesGroup[MCPError]:
    """The client's failure to connect: the server's error, from inside its task groups."""
    return pytest.RaisesGroup(MCPError, allow_unwrapped=True, flatten_subgroups=True)


async def _post_initialize(base_url: str, headers: dict[str, str]) -> httpx.Response:
    """The client's first request, sent by hand: to read the HTTP answer itself."""
    body = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "test", "version": "1"}},
    }  # fmt: skip
    accept = {"Accept": "application/json, text/event-stream"}
    async with httpx.AsyncClient() as http:
        return await http.post(f"{base_url}/mcp", json=body, headers=headers | accept)


async def test_with_a_key_a_video_is_made_followed_and_its_subtitles_and_file_read(
    rendering_api: Api,
) -> None:
    async with connected(rendering_api.base_url, key_of(rendering_api.alice)) as agent:
        tools = {tool.name for tool in (await agent.list_tools()).tools}
        created = await _call(agent, "create_video", **SHORT)
        video = await _until_finished(agent, created["id"])
        vtt = await _resource(agent, f"aivideo://videos/{video['id']}/subtitles.vtt")
        srt = await _resource(agent, f"aivideo://videos/{video['id']}/subtitles.srt")
        file = await _resource(agent, f"aivideo://videos/{video['id']}/video.mp4")

    assert tools >= TOOLS
    assert created["status"] == "queued"
    assert video["status"] == "completed", video["error"]
    files = f"{rendering_api.base_url}/v1/videos/{video['id']}"
    assert video["files"]["video"] == f"{files}/file"
    assert video["files"]["subtitles_vtt"] == f"{files}/subtitles.vtt"
    assert vtt.mime_type == "text/vtt"
    assert vtt.text.startswith("WEBVTT")
    assert "Rain falls" in vtt.text
    assert "-->" in srt.text
    assert file.mime_type == "video/mp4"
    served = await rendering_api.alice.get(video["files"]["video"])
    assert base64.b64decode(file.blob) == served.content  # the API's file, byte for byte


async def test_create_video_can_wait_over_http_telling_its_progress(rendering_api: Api) -> None:
    told: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        told.append(progress)

    async with connected(rendering_api.base_url, key_of(rendering_api.alice)) as agent:
        result = await agent.call_tool(
            "create_video", {**SHORT, "wait_seconds": 90}, progress_callback=on_progress
        )

    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["status"] == "completed"
    assert told, "no progress notification came"
    assert told == sorted(told)  # it never goes back


async def test_without_a_key_mcp_is_refused_with_the_apis_401(api: Api) -> None:
    with _refused_connection():
        async with connected(api.base_url, None):
            pass

    answer = await _post_initialize(api.base_url, {})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert "an API key is required" in answer.json()["error"]["message"]


async def test_a_wrong_key_is_refused_with_the_apis_401(api: Api) -> None:
    with _refused_connection():
        async with connected(api.base_url, "av_not-a-real-key"):
            pass

    answer = await _post_initialize(api.base_url, {"Authorization": "Bearer av_not-a-real-key"})
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "the API key is not valid or has been revoked",
        }
    }


async def test_a_revoked_key_is_refused_from_the_next_request(
    api: Api, resources: Resources
) -> None:
    key = key_of(api.alice)
    async with connected(api.base_url, key) as agent:
        await _call(agent, "list_videos")
        async with resources.sessions() as session:
            assert await revoke_api_keys(session, key[:10]) == 1

        with pytest.raises(MCPError):
            await agent.call_tool("list_videos", {})

    answer = await _post_initialize(api.base_url, {"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]


async def test_one_user_cannot_see_or_cancel_another_users_video(api: Api) -> None:
    async with (
        connected(api.base_url, key_of(api.alice)) as alice,
        connected(api.base_url, key_of(api.bob)) as bob,
    ):
        video_id = (await _call(alice, "create_video", **SHORT))["id"]
        not_found = f"no video with id '{video_id}'"

        assert not_found in await _refusal(bob, "get_video", video_id=video_id)
        assert not_found in await _refusal(bob, "cancel_video", video_id=video_id)
        assert (await _call(bob, "list_videos"))["videos"] == []
        with pytest.raises(MCPError, match=not_found):
            await bob.read_resource(f"aivideo://videos/{video_id}/subtitles.vtt")

        assert (await _call(alice, "get_video", video_id=video_id))["status"] == "queued"
        assert [v["id"] for v in (await _call(alice, "list_videos"))["videos"]] == [video_id]
        assert (await _call(alice, "cancel_video", video_id=video_id))["status"] == "cancelled"


async def test_an_unfinished_videos_subtitles_are_refused_saying_why(api: Api) -> None:
    async with connected(api.base_url, key_of(api.alice)) as agent:
        video_id = (await _call(agent, "create_video", **SHORT))["id"]

        with pytest.raises(MCPError) as refused:
            await agent.read_resource(f"aivideo://videos/{video_id}/subtitles.vtt")

    assert f"video {video_id} has no subtitles yet: it is queued" in str(refused.value)
    assert "follow it with get_video" in str(refused.value)


async def test_a_video_file_too_large_for_a_resource_is_refused_with_its_url(
    api: Api, resources: Resources
) -> None:
    async with connected(api.base_url, key_of(api.alice)) as agent:
        video_id = (await _call(agent, "create_video", **SHORT))["id"]
        await finish_video(resources, video_id, {"video.mp4": 5_000_000})

        with pytest.raises(MCPError) as too_large:
            await agent.read_resource(f"aivideo://videos/{video_id}/video.mp4")
        with pytest.raises(MCPError) as other_format:
            await agent.read_resource(f"aivideo://videos/{video_id}/video.webm")

    url = f"{api.base_url}/v1/videos/{video_id}/file"
    assert f"is 5.0 MB, more than a resource carries (700 KB at most): fetch it from {url}" in (
        str(too_large.value)
    )
    assert f"aivideo://videos/{video_id}/video.mp4" in str(other_format.value)


async def test_on_loopback_in_local_mode_no_key_is_the_local_user_as_for_v1(
    settings: Settings, resources: Resources
) -> None:
    app = create_app(settings.model_copy(update={"render_slots": 0}), allow_local_user=True)
    async with serve_on_loopback(app) as base_url, connected(base_url, None) as agent:
        video_id = (await _call(agent, "create_video", **SHORT))["id"]

        async with httpx.AsyncClient(base_url=base_url) as http:
            seen_by_v1 = await http.get(f"/v1/videos/{video_id}")

    assert seen_by_v1.status_code == 200  # the same user, "local", on both
