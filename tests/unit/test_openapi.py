"""The OpenAPI document names the voices this server really accepts."""

from pathlib import Path

from aivideo.api.app import create_app
from aivideo.core.config import Settings


def _voice_names(settings: Settings) -> list[str]:
    voice = create_app(settings).openapi()["components"]["schemas"]["VideoCreate"]["properties"]
    return next(branch["enum"] for branch in voice["voice"]["anyOf"] if "enum" in branch)


def test_an_offline_server_offers_its_installed_voices(tmp_path: Path) -> None:
    assert _voice_names(Settings(data_dir=tmp_path)) == ["heart", "joe"]


def test_a_server_with_a_remote_voice_offers_its_voices_too(tmp_path: Path) -> None:
    remote = Settings(data_dir=tmp_path, speech_base_url="http://127.0.0.1:9/v1", speech_voice="x")
    assert _voice_names(remote) == sorted(
        ["heart", "joe", "x", "alloy", "echo", "fable", "onyx", "nova", "shimmer"]
    )
