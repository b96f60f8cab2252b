"""``aivideo mcp --server URL``: the same tools, the videos made by a running API."""

from __future__ import annotations

import base64
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

# The MCP client checks structured results with jsonschema, whose first use reads
# its meta-schemas from disk: imported here, before any event loop runs.
import jsonschema_specifications  # noqa: F401
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.support.cli import cli_env, serve_cli

pytestmark = pytest.mark.timeout(180)


@asynccontextmanager
async def connected(env: dict[str, str], base_url: str) -> AsyncIterator[Client]:
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "aivideo", "mcp", "--server", base_url], env=env
    )
    async with Client(server, read_timeout_seconds=120) as client:
        yield client


async def test_a_video_is_made_by_the_server_and_its_file_is_a_url(tmp_path: Path) -> None:
    async with serve_cli(cli_env(tmp_path / "server"), "--no-access-log") as base_url:
        async with connected(cli_env(tmp_path / "agent"), base_url) as agent:
            result = await agent.call_tool(
                "create_video", {"text": "Wind blows.", "quality": "low", "wait_seconds": 150}
            )
            voices = await agent.call_tool("list_voices", {})
            assert result.structured_content is not None
            uri = f"aivideo://videos/{result.structured_content['id']}"
            (srt,) = (await agent.read_resource(f"{uri}/subtitles.srt")).contents
            (file,) = (await agent.read_resource(f"{uri}/video.mp4")).contents

        assert not result.is_error, result.content
        video = result.structured_content
        assert video is not None
        assert video["status"] == "completed"
        assert video["files"]["video"] == f"{base_url}/v1/videos/{video['id']}/file"
        async with httpx.AsyncClient() as http:
            answer = await http.get(video["files"]["video"])
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "video/mp4"
        assert base64.b64decode(file.blob) == answer.content  # type: ignore[union-attr]
        assert not voices.is_error
        assert voices.structured_content is not None
        assert "joe" in voices.structured_content["voices"]
        assert srt.mime_type == "application/x-subrip"
        assert "-->" in srt.text  # type: ignore[union-attr]


async def test_a_wrong_key_is_a_tool_error_in_the_apis_words(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "agent", AIVIDEO_API_KEY="av_not-a-real-key")
    async with serve_cli(cli_env(tmp_path / "server"), "--no-access-log") as base_url:
        async with connected(env, base_url) as agent:
            result = await agent.call_tool("list_videos", {})

    assert result.is_error
    message = result.content[0].text  # type: ignore[union-attr]
    assert "the API key is not valid or has been revoked" in message
