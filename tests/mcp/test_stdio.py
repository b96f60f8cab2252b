"""``aivideo mcp`` over stdio, driven by the official MCP client as an agent drives it."""

from __future__ import annotations

import base64
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio

# The MCP client checks structured results with jsonschema, whose first use reads
# its meta-schemas from disk: imported here, before any event loop runs.
import jsonschema_specifications  # noqa: F401
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.support.cli import cli_env

pytestmark = pytest.mark.timeout(180)

TOOLS = {"create_video", "get_video", "list_videos", "cancel_video", "list_voices"}


# Not a fixture: the client's task group must be left in the task that entered it.
@asynccontextmanager
async def connected(data_dir: Path) -> AsyncIterator[Client]:
    """An MCP client of ``aivideo mcp`` (embedded: it makes the videos itself)."""
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "aivideo", "mcp"], env=cli_env(data_dir)
    )
    async with Client(server, read_timeout_seconds=120) as client:
        yield client


async def _call(agent: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await agent.call_tool(tool, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def _until_finished(agent: Client, video_id: str) -> dict[str, Any]:
    with anyio.fail_after(150):
        while True:
            video = await _call(agent, "get_video", video_id=video_id)
            if video["status"] not in ("queued", "running"):
                return video
            await anyio.sleep(0.5)


async def test_the_tools_are_listed_with_typed_inputs(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        tools = {tool.name: tool for tool in (await agent.list_tools()).tools}

        assert set(tools) >= TOOLS
        create = tools["create_video"].input_schema["properties"]
        assert {"text", "prompt", "quality", "aspect", "subtitles", "voice"} <= set(create)
        assert tools["get_video"].output_schema is not None


async def test_a_video_is_made_and_its_file_is_where_get_video_says(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        created = await _call(
            agent, "create_video", text="Rain falls. Rivers run.", quality="low", subtitles="none"
        )
        assert created["status"] == "queued"

        video = await _until_finished(agent, created["id"])

        assert video["status"] == "completed", video["error"]
        assert video["progress"] == 100
        assert video["files"]["video"].endswith("video.mp4")
        assert (await anyio.Path(video["files"]["video"]).stat()).st_size > 1000
        listed = await _call(agent, "list_videos", status="completed")
        assert [v["id"] for v in listed["videos"]] == [created["id"]]

        uri = f"aivideo://videos/{created['id']}"
        (file,) = (await agent.read_resource(f"{uri}/video.mp4")).contents
        (vtt,) = (await agent.read_resource(f"{uri}/subtitles.vtt")).contents
        assert file.mime_type == "video/mp4"
        made = await anyio.Path(video["files"]["video"]).read_bytes()
        assert base64.b64decode(file.blob) == made  # type: ignore[union-attr]
        assert vtt.text.startswith("WEBVTT")  # type: ignore[union-attr]


async def test_the_resources_of_a_video_are_listed_as_templates(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        templates = (await agent.list_resource_templates()).resource_templates

    by_uri = {template.uri_template: template.mime_type for template in templates}
    assert by_uri == {
        "aivideo://videos/{video_id}/subtitles.vtt": "text/vtt",
        "aivideo://videos/{video_id}/subtitles.srt": "application/x-subrip",
        "aivideo://videos/{video_id}/video.mp4": "video/mp4",
        "aivideo://videos/{video_id}/video.webm": "video/webm",
    }


async def test_create_video_can_wait_telling_its_progress(tmp_path: Path) -> None:
    told: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        told.append((progress, message))

    async with connected(tmp_path) as agent:
        result = await agent.call_tool(
            "create_video",
            {"text": "Snow melts.", "quality": "low", "wait_seconds": 150},
            progress_callback=on_progress,
        )

    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert result.structured_content["status"] == "completed"
    assert told, "no progress notification came"
    assert [p for p, _ in told] == sorted(p for p, _ in told)  # it never goes back


async def test_empty_text_is_a_tool_error_in_the_apis_words(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        result = await agent.call_tool("create_video", {"text": ""})

        assert result.is_error
        message = result.content[0].text  # type: ignore[union-attr]
        assert "text: String should have at least 1 character" in message


async def test_a_video_that_does_not_exist_is_a_tool_error(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        missing = "01a22000-0000-7000-8000-000000000000"
        result = await agent.call_tool("get_video", {"video_id": missing})

        assert result.is_error
        assert f"no video with id '{missing}'" in result.content[0].text  # type: ignore[union-attr]


async def test_the_voices_are_listed(tmp_path: Path) -> None:
    async with connected(tmp_path) as agent:
        voices = await _call(agent, "list_voices")

        assert voices["default"] in voices["voices"]
