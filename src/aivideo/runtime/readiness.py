"""Readiness checks: can this process reach each component it depends on?

Each check answers within the probe timeout; a component that does not answer
in time counts as down. ``/readyz`` and ``aivideo worker --check`` use them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aio_pika
import anyio
from sqlalchemy import text

from aivideo.core.ids import new_id
from aivideo.runtime.resources import Resources

Check = Callable[[Resources], Awaitable[str]]


async def check_database(resources: Resources) -> str:
    async with resources.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return resources.engine.dialect.name


async def check_storage(resources: Resources) -> str:
    probe = anyio.Path(resources.storage_dir) / f".ready-{new_id()}"
    await probe.write_bytes(b"ok")
    await probe.unlink()
    return str(resources.storage_dir)


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


# Without these the process still serves every request, only slower.
OPTIONAL = frozenset({"cache"})

CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


async def _run_check(check: Check, resources: Resources) -> dict[str, str]:
    try:
        async with asyncio.timeout(resources.settings.probe_timeout):
            detail = await check(resources)
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
