"""Readiness checks: can this process reach each component it depends on?

Each check answers within the probe timeout; a component that does not answer
in time counts as down. ``/readyz`` and ``aivideo worker --check`` use them.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable

import aio_pika
from sqlalchemy import text

from aivideo.runtime.resources import Resources

Check = Callable[[Resources], Awaitable[str]]


class Degraded(Exception):
    """The component answers, but not well: it is reported, the process stays ready."""


async def check_database(resources: Resources) -> str:
    async with resources.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return resources.engine.dialect.name


async def check_storage(resources: Resources) -> str:
    """The store takes and gives back an object; this machine has room to make videos."""
    where = await resources.store.probe()
    scratch = resources.storage_dir
    free = (await asyncio.to_thread(shutil.disk_usage, scratch)).free
    room = f"{free / 1e6:,.0f} MB free"
    detail = f"{where}, {room}" if where == str(scratch) else f"{where}; made in {scratch}, {room}"
    if free < resources.settings.storage_low_bytes:
        # Videos that run out of room go back to the queue: nothing fails, but nothing finishes.
        raise Degraded(f"{detail}: storage is low; free some space")
    return detail


async def check_cache(resources: Resources) -> str:
    await resources.cache.ping()
    return resources.cache.kind


async def check_broker(resources: Resources) -> str:
    url = resources.settings.broker_url
    if url is None:
        return "in-process"
    connection = await aio_pika.connect(url, timeout=resources.settings.probe_timeout)
    await connection.close()
    return "rabbitmq"


async def check_process_pool(resources: Resources) -> str:
    pool = resources.process_pool
    if pool.broken:
        raise RuntimeError("a pool process died and no new pool could be started yet")
    return pool.describe()


# Without these the process still serves every request, only slower.
OPTIONAL = frozenset({"cache"})

CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "process_pool": check_process_pool,
}


async def _run_check(check: Check, resources: Resources) -> dict[str, str]:
    try:
        async with asyncio.timeout(resources.settings.probe_timeout):
            detail = await check(resources)
    except Degraded as exc:
        return {"status": "degraded", "detail": str(exc)}
    except TimeoutError:
        return {
            "status": "down",
            "detail": f"no answer within {resources.settings.probe_timeout} s",
        }
    except Exception as exc:  # any failure means "down"; the reason goes in the report
        return {"status": "down", "detail": f"{type(exc).__name__}: {exc}"}
    return {"status": "up", "detail": detail}


async def check_components(resources: Resources) -> dict[str, dict[str, str]]:
    """Run every check at once; a component's entry says up or down, and why."""
    results = await asyncio.gather(*(_run_check(check, resources) for check in CHECKS.values()))
    return dict(zip(CHECKS, results, strict=True))
