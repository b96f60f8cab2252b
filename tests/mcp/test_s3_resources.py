"""MCP resources of videos kept in an S3 bucket (moto on loopback), by each kind of backend.

The worker's folder is only scratch then: the resources are read from the
bucket (``serve``'s /mcp and embedded ``aivideo mcp``), or through the API's
redirect to a presigned URL (``aivideo mcp --server``).
"""

from __future__ import annotations

import base64
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

# Both read files as they are first imported (see tests/mcp/test_http.py).
import httpcore2  # noqa: F401
import jsonschema_specifications  # noqa: F401
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.mcp.test_http import connected as connected_over_http
from tests.mcp.test_http import key_of
from tests.support.cli import cli_env, serve_cli
from tests.support.object_store import S3, read_object, s3_settings
from tests.support.server import running_api

pytestmark = pytest.mark.timeout(180)

MADE = {"quality": "low", "wait_seconds": 150}


def _bucket_env(data_dir: Path, bucket: str) -> dict[str, str]:
    return cli_env(
        data_dir, AIVIDEO_STORAGE_URL=f"s3://{bucket}/videos", AIVIDEO_S3_ENDPOINT_URL=S3.url
    )


@asynccontextmanager
async def connected_over_stdio(env: dict[str, str], *args: str) -> AsyncIterator[Client]:
    server = StdioServerParameters(command=sys.executable, args=["-m", "aivideo", "mcp", *args],
                                   env=env)  # fmt: skip
    async with Client(server, read_timeout_seconds=120) as client:
        yield client


async def _made(agent: Client, text: str) -> dict[str, Any]:
    result = await agent.call_tool("create_video", {"text": text, **MADE})
    assert not result.is_error, result.content
    video = result.structured_content
    assert video is not None and video["status"] == "completed", video
    return video


async def _read(agent: Client, video: dict[str, Any], name: str) -> Any:
    (content,) = (await agent.read_resource(f"aivideo://videos/{video['id']}/{name}")).contents
    return content


async def test_serves_mcp_reads_a_videos_resources_from_the_bucket(
    settings: Settings, resources: Resources, s3_bucket: str
) -> None:
    async with running_api(s3_settings(settings, s3_bucket), resources) as api:
        async with connected_over_http(api.base_url, key_of(api.alice)) as agent:
            video = await _made(agent, "Clouds gather. Rain falls.")
            vtt = await _read(agent, video, "subtitles.vtt")
            file = await _read(agent, video, "video.mp4")

    assert "Rain falls" in vtt.text
    stored = await read_object(s3_bucket, f"videos/{video['id']}/video.mp4")
    assert base64.b64decode(file.blob) == stored


async def test_embedded_mcp_gives_the_bucket_as_where_the_files_are_and_reads_them(
    s3_bucket: str, tmp_path: Path
) -> None:
    async with connected_over_stdio(_bucket_env(tmp_path / "agent", s3_bucket)) as agent:
        video = await _made(agent, "Snow melts. Streams swell.")
        srt = await _read(agent, video, "subtitles.srt")
        file = await _read(agent, video, "video.mp4")

    key = f"videos/{video['id']}/video.mp4"
    assert video["files"]["video"] == f"s3://{s3_bucket}/{key}"
    assert "-->" in srt.text
    assert base64.b64decode(file.blob) == await read_object(s3_bucket, key)


async def test_mcp_with_a_server_follows_its_redirect_to_the_bucket(
    s3_bucket: str, tmp_path: Path
) -> None:
    async with serve_cli(_bucket_env(tmp_path / "server", s3_bucket), "--no-access-log") as url:
        async with connected_over_stdio(cli_env(tmp_path / "agent"), "--server", url) as agent:
            video = await _made(agent, "Wind blows. Leaves fall.")
            file = await _read(agent, video, "video.mp4")
            vtt = await _read(agent, video, "subtitles.vtt")

    stored = await read_object(s3_bucket, f"videos/{video['id']}/video.mp4")
    assert base64.b64decode(file.blob) == stored
    assert vtt.text.startswith("WEBVTT")
