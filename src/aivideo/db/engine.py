"""The async SQLAlchemy engine, configured for the backend the URL names."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from aivideo.core.config import Settings

# Without utf8mb4, emoji in a video's text would be refused by MariaDB.
MARIADB_CONNECT_ARGS = {"charset": "utf8mb4"}


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the engine with pool settings; SQLite gets WAL and a busy timeout."""
    url = settings.effective_database_url
    options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
    }
    if settings.is_sqlite:
        # SQLite has a single writer. With one pooled connection, sessions queue
        # in the pool instead of sleeping in SQLite's busy handler: measured with
        # bench/api_bench.py, creates went from 202 to 254 req/s and their p99
        # from 1.5 s to 0.22 s; gets from 358 to 418 req/s.
        options.update(pool_size=1, max_overflow=0)
    if url.startswith("mysql"):
        options["connect_args"] = dict(MARIADB_CONNECT_ARGS)
        # PostgreSQL's default. Under MariaDB's (REPEATABLE READ) a transaction reads
        # the snapshot of its first read: a queue counted after waiting for the queue's
        # lock would not show the videos the previous holder added (aivideo.db.locks);
        # and it takes gap locks, which make more deadlocks.
        options["isolation_level"] = "READ COMMITTED"
    engine = create_async_engine(url, **options)
    if settings.is_sqlite:
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
    return engine


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers go on while one writer writes; the busy timeout makes
        # a second writer wait for the lock instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power
        # cut may lose the last commits but never corrupts the file (SQLite docs).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


READ_POOL_SIZE = 4  # the hot read path's batches (videos, keys) run a few at a time


def create_read_engine(settings: Settings) -> AsyncEngine | None:
    """A small pool for the API's hot reads on a server database (None on SQLite).

    The main pool pings each connection as it is checked out, and every
    session begins and rolls back a transaction: round trips that, under load,
    each wait a turn of the busy event loop. Measured with the loop held 10 ms
    a turn: a batched read took 20 turns so, 6 without ping and transaction.
    Without the ping, a connection the server dropped fails its first use:
    those reads are tried once more (``db.availability.once_more_if_disconnected``).
    """
    if settings.is_sqlite:
        return None  # one connection, one writer: reads share the main pool
    options: dict[str, Any] = {
        "pool_size": READ_POOL_SIZE,
        "max_overflow": READ_POOL_SIZE,
        "pool_timeout": settings.db_pool_timeout,
        "pool_recycle": settings.db_pool_recycle,
        # Reads only, each one statement: no transaction to begin or roll back.
        "isolation_level": "AUTOCOMMIT",
    }
    if settings.effective_database_url.startswith("mysql"):
        options["connect_args"] = dict(MARIADB_CONNECT_ARGS)
    return create_async_engine(settings.effective_database_url, **options)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
