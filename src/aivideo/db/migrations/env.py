"""Alembic environment: runs the migrations over the async engine."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from aivideo.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(engine: AsyncEngine) -> None:
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


database_url = config.get_main_option("sqlalchemy.url")
assert database_url, "aivideo.db.migrate sets sqlalchemy.url"
if context.is_offline_mode():
    _run_offline(database_url)
else:
    # Read every migration file and build the engine (SQLite resolves its file
    # path) before the event loop starts: the loop only ever waits on the database.
    context.script.get_heads()
    asyncio.run(_run_async(create_async_engine(database_url, poolclass=pool.NullPool)))
