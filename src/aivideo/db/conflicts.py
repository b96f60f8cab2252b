"""Lock conflicts: the database gave up on a transaction so that another could go on.

A deadlock (PostgreSQL 40P01, MariaDB 1213), a serialization failure
(PostgreSQL 40001) and a lock wait that timed out (MariaDB 1205) say nothing
about the request: the same transaction, run again, normally succeeds. They
are neither a database that cannot be reached nor a bug.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, TypeVar

import stamina
from sqlalchemy import exc as db_errors
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.db.models import Base

P = ParamSpec("P")
T = TypeVar("T")

_POSTGRES_CONFLICTS = {"40001", "40P01"}  # serialization_failure, deadlock_detected
_MARIADB_CONFLICTS = {1205, 1213}  # ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK

# A conflict is over in milliseconds once the other transaction ends: a few
# quick tries, within a time a client waits for an answer anyway.
ATTEMPTS = 4
TIMEOUT = 10.0


def is_retryable_conflict(error: BaseException) -> bool:
    """True when ``error`` is the database resolving a lock conflict at this transaction's cost."""
    if not isinstance(error, db_errors.DBAPIError):
        return False
    driver_error = error.orig
    if getattr(driver_error, "sqlstate", None) in _POSTGRES_CONFLICTS:
        return True
    args: tuple[object, ...] = getattr(driver_error, "args", ())
    return bool(args) and args[0] in _MARIADB_CONFLICTS


def retried_on_conflict(
    work: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
) -> Callable[Concatenate[AsyncSession, P], Awaitable[T]]:
    """Run ``work`` (one transaction on its session, its first argument) again after a conflict.

    Safe because the database has undone the transaction (MariaDB undoes only
    the statement after a lock wait timeout: the rollback here undoes the
    rest). The rollback expires every object of the session, so the ORM
    objects passed to ``work`` (the request's user) are loaded again before
    the next try. Whatever ``work`` does outside the database must come after
    its commit, or be harmless to repeat.
    """

    @functools.wraps(work)
    async def run(session: AsyncSession, /, *args: P.args, **kwargs: P.kwargs) -> T:
        retrying = stamina.retry_context(
            on=is_retryable_conflict,
            attempts=ATTEMPTS,
            timeout=TIMEOUT,
            wait_initial=0.02,
            wait_max=0.5,
            wait_jitter=0.05,
        )
        async for attempt in retrying:
            with attempt:
                if attempt.num > 1:
                    await _reload(session, [*args, *kwargs.values()])
                try:
                    return await work(session, *args, **kwargs)
                except db_errors.DBAPIError as exc:
                    if is_retryable_conflict(exc):
                        await session.rollback()
                    raise
        raise AssertionError("stamina ends with a return or an exception")  # pragma: no cover

    return run


async def _reload(session: AsyncSession, values: list[object]) -> None:
    for value in values:
        if isinstance(value, Base) and value in session:
            await session.refresh(value)
