"""Real lock conflicts on PostgreSQL and MariaDB: who waits for a lock, and a true deadlock."""

from __future__ import annotations

import asyncio

from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.db.models import User
from aivideo.runtime.resources import Resources
from tests.support.polling import wait_for

_WAITING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'",
    # Only this database's transactions: the server may be shared.
    "mysql": "SELECT count(*) FROM information_schema.innodb_trx AS t "
    "JOIN information_schema.processlist AS p ON p.id = t.trx_mysql_thread_id "
    "WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()",
}


async def transactions_waiting_for_a_lock(resources: Resources) -> int:
    async with resources.sessions() as session:
        return int(await session.scalar(text(_WAITING[resources.engine.dialect.name])) or 0)


async def wait_for_a_lock_wait(resources: Resources) -> None:
    """Return once some transaction of this database waits for a lock another one holds."""
    await wait_for(lambda: transactions_waiting_for_a_lock(resources), seconds=30)


async def never_the_deadlock_victim(session: AsyncSession) -> None:
    """Make ``session``'s transaction the one the database keeps when it breaks a deadlock.

    PostgreSQL aborts the transaction whose deadlock check finds the cycle:
    this one checks only after 30 s. MariaDB rolls back the transaction that
    changed fewer rows: this one gives every user a new webhook secret.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL deadlock_timeout = '30s'"))
    else:
        await session.execute(text("UPDATE users SET webhook_secret = MD5(RAND())"))


async def _touch(session: AsyncSession, user_id: str) -> None:
    await session.execute(update(User).where(User.id == user_id).values(name=User.name))


async def deadlock_error(resources: Resources, first_user: str, second_user: str) -> DBAPIError:
    """The error the database raises in one of two transactions locking two rows crosswise."""
    async with resources.sessions() as one, resources.sessions() as two:
        await _touch(one, first_user)
        await _touch(two, second_user)
        one_waits = asyncio.create_task(_touch(one, second_user))
        await wait_for_a_lock_wait(resources)
        two_waits = asyncio.create_task(_touch(two, first_user))  # the cycle closes
        outcomes = await asyncio.gather(one_waits, two_waits, return_exceptions=True)
        await one.rollback()
        await two.rollback()
    errors = [outcome for outcome in outcomes if isinstance(outcome, DBAPIError)]
    assert len(errors) == 1, outcomes
    return errors[0]
