"""Every process hears what every other one changed: PostgreSQL's LISTEN/NOTIFY.

Caches in a process's memory (API keys, videos) are only right while that
process learns of every change made elsewhere: a key revoked by `aivideo keys
revoke`, a video finished by a worker on another machine. PostgreSQL carries
such news itself: a ``NOTIFY`` is delivered, at commit, to every connection
that ``LISTEN``\\s on its channel. One connection per process listens.

A process that is not listening may have missed news, so :attr:`ChangeFeed.live`
is false from the moment the connection is lost until it listens again; the
caches are bypassed meanwhile and emptied when it is back (``on_reset``).
Messages carry the sender's id, so a process skips what it sent itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from aivideo.core.backoff import backoff_delay
from aivideo.core.ids import new_id

logger = logging.getLogger(__name__)

PAYLOAD_LIMIT = 7000  # bytes; PostgreSQL refuses a payload of 8000 or more
RECONNECT_BASE, RECONNECT_CAP = 0.2, 5.0  # seconds between attempts to listen again

Handler = Callable[[list[str]], None]


class ChangeFeed:
    """Channels of news between processes, by name (e.g. ``videos``, ``api_keys``)."""

    def __init__(self, engine: AsyncEngine, dsn: str) -> None:
        self.engine = engine
        self.dsn = dsn  # a libpq URL (postgresql://...), for the listening connection
        self.origin = new_id()  # this process, as named in the messages it sends
        self.live = False
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._resets: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self.listener_pid: int | None = None  # the server process that listens for us

    def on_change(self, channel: str, handler: Handler) -> None:
        """Call ``handler`` with what another process changed on ``channel``."""
        self._handlers[channel].append(handler)

    def on_reset(self, handler: Callable[[], None]) -> None:
        """Call ``handler`` when news may have been missed: forget everything cached."""
        self._resets.append(handler)

    async def start(self, ready_within: float = 5.0) -> None:
        """Start listening; waits (up to ``ready_within``) for the first connection."""
        self._task = asyncio.create_task(self._listen_forever(), name="change-feed")
        try:
            await asyncio.wait_for(self._listening.wait(), ready_within)
        except TimeoutError:
            logger.warning("change feed: not listening yet; caches are bypassed until it is")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.live = False

    async def publish(self, channel: str, items: Iterable[str]) -> None:
        """Tell every other process that ``items`` changed (after the change committed).

        The change itself is already made: a failure here is logged, not raised.
        Other processes then serve what they cached until its TTL ends.
        """
        try:
            async with self.engine.connect() as connection:
                for payload in _payloads(self.origin, items):
                    await connection.execute(select(func.pg_notify(_channel(channel), payload)))
                await connection.commit()  # a notification is delivered at commit
        except (OSError, SQLAlchemyError) as exc:
            logger.warning("change feed: could not tell other processes of %s: %s", channel, exc)

    async def _listen_forever(self) -> None:
        attempt = 0
        while True:
            try:
                connection = await asyncpg.connect(
                    self.dsn, server_settings={"application_name": "aivideo change feed"}
                )
            except (OSError, asyncpg.PostgresError) as exc:
                attempt += 1
                logger.warning("change feed: cannot connect to listen (%s); trying again", exc)
                await asyncio.sleep(backoff_delay(attempt, RECONNECT_BASE, RECONNECT_CAP))
                continue
            attempt = 0
            try:
                await self._listen(connection)
            finally:
                self.live = False
                await _close_quietly(connection)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        for channel in self._handlers:
            await connection.add_listener(_channel(channel), self._deliver)
        for reset in self._resets:
            reset()  # anything cached before now may have missed news
        self.listener_pid = connection.get_server_pid()
        self.live = True
        self._listening.set()
        logger.info("change feed: listening on %s", ", ".join(self._handlers) or "nothing")
        # Server gone, network cut: asyncpg notices on its own only when it next
        # reads, so look every few seconds as well.
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), RECONNECT_CAP)
            except TimeoutError:
                try:
                    await connection.execute("SELECT 1", timeout=RECONNECT_CAP)
                except (OSError, asyncpg.PostgresError, TimeoutError):
                    break
        logger.warning("change feed: the listening connection was lost; listening again")

    def _deliver(self, _connection: object, _pid: int, channel: str, payload: str) -> None:
        origin, _, body = payload.partition(":")
        if origin == self.origin or not body:
            return  # our own news: this process acted on it already
        items = body.split(",")
        for handler in self._handlers[channel.removeprefix("aivideo_")]:
            handler(items)


def _channel(name: str) -> str:
    return f"aivideo_{name}"


def _payloads(origin: str, items: Iterable[str]) -> list[str]:
    """``origin:item,item,...`` messages, each within PostgreSQL's payload limit."""
    payloads: list[str] = []
    batch: list[str] = []
    size = 0
    for item in items:
        if batch and size + len(item) + 1 > PAYLOAD_LIMIT:
            payloads.append(f"{origin}:{','.join(batch)}")
            batch, size = [], 0
        batch.append(item)
        size += len(item) + 1
    if batch:
        payloads.append(f"{origin}:{','.join(batch)}")
    return payloads


async def _close_quietly(connection: asyncpg.Connection) -> None:
    try:
        await asyncio.wait_for(connection.close(), RECONNECT_CAP)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        connection.terminate()


def listening_dsn(database_url: str) -> str | None:
    """The libpq URL to listen with, for a PostgreSQL ``database_url``; else None."""
    prefix = "postgresql+asyncpg://"
    if not database_url.startswith(prefix):
        return None
    return "postgresql://" + database_url.removeprefix(prefix)


async def announce(session: AsyncSession, channel: str, items: Iterable[str]) -> None:
    """Tell every listening process, at the commit of ``session``'s transaction.

    For a process without a feed of its own (the command line). Other
    databases have no notifications: a no-op there, and their processes do
    not cache what would need them.
    """
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    for payload in _payloads("", items):
        await session.execute(select(func.pg_notify(_channel(channel), payload)))
