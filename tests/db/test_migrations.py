"""Migrations run from an empty database on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from aivideo.core.errors import SchemaOutOfDate
from aivideo.db.migrate import ensure_schema_is_current, upgrade_to_head
from tests.support.db_schema import drop_everything, throwaway_engine

TABLES = {"users", "api_keys", "videos", "video_events", "alembic_version"}


async def _tables(url: str) -> set[str]:
    engine = await throwaway_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_from_empty_creates_the_schema(database_url: str) -> None:
    await drop_everything(database_url)
    assert await _tables(database_url) == set()

    engine = await throwaway_engine(database_url)
    try:
        with pytest.raises(SchemaOutOfDate, match="aivideo db upgrade"):
            await ensure_schema_is_current(engine)

        await upgrade_to_head(database_url)

        assert TABLES <= await _tables(database_url)
        await ensure_schema_is_current(engine)  # no error: at head
        await upgrade_to_head(database_url)  # a second run changes nothing and does not fail
    finally:
        await engine.dispose()
