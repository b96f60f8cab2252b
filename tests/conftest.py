"""Fixtures shared by the whole suite.

Every test runs with blockbuster's detector on: a blocking call on the event
loop (file, socket, sleep, subprocess) fails the test that made it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from blockbuster import BlockBuster, blockbuster_ctx
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.core.config import Settings
from aivideo.db.migrate import upgrade_to_head_blocking
from aivideo.db.models import ApiKey, User, Video, VideoEvent
from aivideo.runtime.resources import Resources
from tests.support.backends import POSTGRES, SERVER_BACKENDS, require
from tests.support.blocking_allowlist import allow_known_safe_calls


@pytest.fixture(autouse=True)
def blockbuster() -> Iterator[BlockBuster]:
    with blockbuster_ctx() as detector:
        allow_known_safe_calls(detector)
        yield detector


@pytest.fixture(scope="session", autouse=True)
def shared_voice_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder for the voice model patched with word timings, for the whole run.

    Patching takes about 2 s of CPU; every test with its own data folder would
    pay it again. tests/pipeline/test_word_timings_audio.py tests the patching.
    """
    folder = tmp_path_factory.mktemp("voice-models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIVIDEO_VOICE_MODELS_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def migrated_server_backends() -> dict[str, str]:
    """Each reachable server database, emptied and migrated from nothing once per run."""
    from tests.support.db_schema import drop_everything_blocking

    migrated = {}
    for backend in SERVER_BACKENDS:
        if backend.reachable():
            drop_everything_blocking(backend.url)
            upgrade_to_head_blocking(backend.url)
            migrated[backend.name] = backend.url
    return migrated


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_server_backends: dict[str, str]
) -> str:
    """A migrated database of each kind; SQLite is a fresh file per test."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'aivideo.db'}"
        upgrade_to_head_blocking(url)
        return url
    backend = next(b for b in SERVER_BACKENDS if b.name == request.param)
    require(backend)
    return migrated_server_backends[backend.name]


@pytest.fixture
def postgres_url(migrated_server_backends: dict[str, str]) -> str:
    """The migrated PostgreSQL test database, for tests that need a server database."""
    require(POSTGRES)
    return migrated_server_backends[POSTGRES.name]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with Resources(settings) as opened:
        async with opened.sessions() as session:
            await _empty_tables(session)
        yield opened


async def _empty_tables(session: AsyncSession) -> None:
    # Server databases are shared by the tests of a run: start each one empty.
    for model in (VideoEvent, Video, ApiKey, User):
        await session.execute(delete(model))
    await session.commit()


@pytest.fixture
async def session(resources: Resources) -> AsyncIterator[AsyncSession]:
    async with resources.sessions() as opened:
        yield opened


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's S3 server is up (else skipped), and the AWS_* variables name its test key."""
    from tests.support.object_store import CREDENTIALS, S3

    require(S3)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def s3_bucket(s3_credentials: None) -> AsyncIterator[str]:
    """A bucket of this test's own on moto's S3 server (loopback), deleted afterwards."""
    from tests.support.object_store import new_bucket

    async with new_bucket() as bucket:
        yield bucket
