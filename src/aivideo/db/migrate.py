"""Schema migrations: upgrade to the newest revision, or check that it is there.

Alembic is synchronous and reads its scripts from disk, so it runs in a worker
thread with a private event loop (see ``migrations/env.py``), never on the
caller's loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from aivideo.core.config import Settings
from aivideo.core.errors import SchemaOutOfDate

_MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS_DIR))
    # Alembic's config is an INI parser: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head_blocking(database_url: str) -> None:
    """Apply every migration not yet applied. Blocks: call it from a thread or the CLI."""
    command.upgrade(alembic_config(database_url), "head")


async def upgrade_to_head(database_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head_blocking, database_url)


def _head_revision_blocking(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


async def ensure_schema_is_current(engine: AsyncEngine) -> None:
    """Raise :class:`SchemaOutOfDate` unless the database is at the newest revision."""
    url = engine.url.render_as_string(hide_password=False)
    head = await asyncio.to_thread(_head_revision_blocking, url)
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
    if current != head:
        raise SchemaOutOfDate(
            f"the database schema is at revision {current or 'none'}, the code needs {head}: "
            "run `aivideo db upgrade` with the same AIVIDEO_DATABASE_URL"
        )


async def prepare_schema(settings: Settings, engine: AsyncEngine) -> None:
    """Make the schema ready for this process, or say why it is not.

    An embedded SQLite file belongs to the process that opens it: it is
    upgraded in place. A shared server database is upgraded by the operator
    (``aivideo db upgrade``), once, before new code starts: here it is only
    checked, so two processes never migrate it at the same time.
    """
    if settings.is_sqlite:
        await upgrade_to_head(settings.effective_database_url)
    else:
        await ensure_schema_is_current(engine)
