"""create_video takes a video's ``language`` as the API does, and refuses a mismatch alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

# The MCP client's jsonschema and httpx2's transport read files as they are first
# imported: here, before any event loop.
import httpcore2  # noqa: F401
import jsonschema_specifications  # noqa: F401
import pytest

from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.mcp.test_http import _call, _refusal, connected, key_of
from tests.support.server import Api, running_api
from tests.support.voice_files import add_voice, copy_bundled_model

pytestmark = pytest.mark.timeout(120)

SPANISH = "es_ES-prueba-medium"


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
async def voices_api(
    settings: Settings, resources: Resources, tmp_path: Path, bundled_copy: Path
) -> AsyncIterator[Api]:
    """The API with a Spanish voice in its voices folder; videos stay queued."""
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    configured = settings.model_copy(update={"voices_dir": folder, "render_slots": 0})
    async with running_api(configured, resources) as api:
        yield api


async def test_create_video_takes_a_language_and_refuses_a_mismatch_like_the_api(
    voices_api: Api,
) -> None:
    mismatch = {"text": "Hola.", "language": "es"}  # the default voice, joe, speaks en-US
    api_refusal = await voices_api.alice.post("/v1/videos", json=mismatch)
    async with connected(voices_api.base_url, key_of(voices_api.alice)) as agent:
        schema = next(
            tool.input_schema for tool in (await agent.list_tools()).tools
            if tool.name == "create_video"
        )  # fmt: skip
        created = await _call(agent, "create_video", text="Hola.", voice=SPANISH, language="es-MX")
        refused = await _refusal(agent, "create_video", **mismatch)
        malformed = await _refusal(agent, "create_video", text="Hola.", language="es_ES")

    assert "BCP-47" in schema["properties"]["language"]["description"]
    shown = (await voices_api.alice.get(f"/v1/videos/{created['id']}")).json()
    assert (shown["voice"], shown["language"]) == (SPANISH, "es-MX")
    assert api_refusal.status_code == 422
    assert refused.endswith(f"create_video: {api_refusal.json()['error']['message']}")
    assert "'joe' speaks en-US, and the video's language is es" in refused
    assert "create_video: language: language must be a BCP-47 tag" in malformed
