"""The create_video tool takes a storyboard (``scenes``) too, checked in the API's words."""

from __future__ import annotations

import sys
from pathlib import Path

# The MCP client checks structured results with jsonschema, whose first use reads
# its meta-schemas from disk: imported here, before any event loop runs.
import jsonschema_specifications  # noqa: F401
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.support.cli import cli_env

pytestmark = pytest.mark.timeout(120)


async def test_create_video_takes_scenes_and_refuses_a_wrong_one_like_the_api(
    tmp_path: Path,
) -> None:
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "aivideo", "mcp"], env=cli_env(tmp_path)
    )
    scenes = [{"text": "Water moves.", "pictograms": ["💧"]}, {"text": "It rains."}]
    async with Client(server, read_timeout_seconds=60) as agent:
        schema = next(
            tool.input_schema for tool in (await agent.list_tools()).tools
            if tool.name == "create_video"
        )  # fmt: skip
        created = await agent.call_tool("create_video", {"scenes": scenes, "quality": "low"})
        assert not created.is_error, created.content
        assert created.structured_content is not None
        wrong = await agent.call_tool(
            "create_video", {"scenes": [{"text": "Hi.", "pictograms": ["rain"]}]}
        )
        both = await agent.call_tool("create_video", {"text": "Hi.", "scenes": scenes})
        await agent.call_tool("cancel_video", {"video_id": created.structured_content["id"]})

    assert "scenes" in schema["properties"]
    assert created.structured_content["status"] == "queued"
    assert wrong.is_error
    assert "scenes[0].pictograms[0]: 'rain' is not an emoji" in wrong.content[0].text
    assert both.is_error
    assert "not `text` and `scenes` together" in both.content[0].text
