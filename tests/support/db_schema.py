"""Test helper: drop every table, so migrations can be proven from empty."""

from __future__ import annotations

import asyncio

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


async def throwaway_engine(url: str) -> AsyncEngine:
    """An engine without a pool, made off the loop (SQLite resolves its path on creation)."""
    return await asyncio.to_thread(create_async_engine, url, poolclass=NullPool)


async def drop_everything(url: str) -> None:
    engine = await throwaway_engine(url)
    try:
        async with engine.begin() as connection:
            metadata = MetaData()
            await connection.run_sync(metadata.reflect)
            await connection.run_sync(metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        await engine.dispose()


def drop_everything_blocking(url: str) -> None:
    asyncio.run(drop_everything(url))
