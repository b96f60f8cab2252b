"""``aivideo worker --check`` and ``aivideo generate --server``, as a user runs them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from tests.support.backends import POSTGRES, RABBITMQ, REDIS, require
from tests.support.cli import cli_env, run_cli, serve_cli
from tests.support.probe import probe_video


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    for backend in (POSTGRES, RABBITMQ, REDIS):
        require(backend)
    return cli_env(
        tmp_path,
        AIVIDEO_DATABASE_URL=POSTGRES.url,
        AIVIDEO_BROKER_URL=RABBITMQ.url,
        AIVIDEO_REDIS_URL=REDIS.url,
    )


async def test_worker_check_passes_when_everything_answers(
    production_env: dict[str, str],
) -> None:
    code, _, err = await run_cli(production_env, "worker", "--check")

    assert code == 0, err
    for component in ("database", "broker", "cache", "storage"):
        assert f"{component}" in err
    assert "down" not in err


async def test_worker_check_fails_naming_what_is_down(production_env: dict[str, str]) -> None:
    env = {**production_env, "AIVIDEO_BROKER_URL": "amqp://guest:guest@127.0.0.1:1/"}

    code, _, err = await run_cli(env, "worker", "--check")

    assert code == 1
    assert "broker    down" in err


async def test_generate_with_server_makes_the_video_there(tmp_path: Path) -> None:
    output = tmp_path / "out" / "remote.mp4"
    await anyio.Path(output.parent).mkdir()
    async with serve_cli(cli_env(tmp_path / "server-data")) as base_url:
        code, out, err = await run_cli(
            cli_env(tmp_path / "client-data"), "generate", "A server made this. Then I got it.",
            "--server", base_url, "-o", str(output), "--quality", "low",
        )  # fmt: skip

    assert code == 0, err
    assert "remote.mp4" in out + err
    video = await asyncio.to_thread(probe_video, output)
    assert video.duration > 1
    for suffix in (".srt", ".vtt", ".jpg"):
        assert (await anyio.Path(output.with_suffix(suffix)).stat()).st_size > 0
    assert not [path async for path in anyio.Path(output.parent).glob(".*.part")]


async def test_generate_with_an_unreachable_server_says_so(tmp_path: Path) -> None:
    code, _, err = await run_cli(
        cli_env(tmp_path), "generate", "Hello.", "--server", "http://127.0.0.1:1", "-o",
        str(tmp_path / "x.mp4"),
    )  # fmt: skip

    assert code == 1
    assert "cannot reach the server at http://127.0.0.1:1" in err
    assert "Traceback" not in err
