"""The resource manager: everything with a connection or a worker, opened once.

One :class:`Resources` object is opened at start-up (the API's lifespan, later
the worker's start-up) and closed at shutdown. It owns the database engine and
its pool, the cache, the shared HTTP client and the providers that use it, the
store of finished videos (a folder or a bucket, ``aivideo.storage``), the
scratch folder where videos are made, and the bounded executors.
Like httpx's client it has an explicit lifecycle: it cannot be opened twice,
nor used before it is opened or after it is closed.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from aivideo.auth.key_cache import API_KEYS_CHANNEL, KeyCache
from aivideo.cache.local_store import LocalStore
from aivideo.cache.store import Cache, make_cache
from aivideo.cache.video_status import VIDEOS_CHANNEL, VideoStatusCache
from aivideo.core.config import Settings
from aivideo.core.errors import ResourceLifecycleError
from aivideo.db.change_feed import ChangeFeed, listening_dsn
from aivideo.db.engine import create_engine, create_read_engine, create_session_factory
from aivideo.observability.operation_timing import HTTP_EVENT_HOOKS, time_database_statements
from aivideo.providers.registry import Providers
from aivideo.runtime.process_pool import ProcessPool
from aivideo.storage import ObjectStore, make_store

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ResourceState(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class Resources:
    """Connections, pools and executors shared by the whole process."""

    def __init__(self, settings: Settings, *, verify_store: bool = True) -> None:
        """``verify_store``: refuse to open if the store refuses its credentials or bucket."""
        self.settings = settings
        self._verify_store = verify_store
        self._store: ObjectStore | None = None
        self._state = ResourceState.UNOPENED
        self._closers: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._read_sessions: async_sessionmaker[AsyncSession] | None = None
        self._http: httpx.AsyncClient | None = None
        self._threads: ThreadPoolExecutor | None = None
        self._processes: ProcessPool | None = None
        self._cache: Cache | None = None
        self._providers: Providers | None = None
        self._video_cache: VideoStatusCache | None = None
        self._key_cache: KeyCache | None = None
        self.change_feed: ChangeFeed | None = None  # on PostgreSQL

    @property
    def state(self) -> ResourceState:
        return self._state

    async def open(self) -> None:
        """Open every resource, in dependency order. On failure, close what opened."""
        if self._state is not ResourceState.UNOPENED:
            raise ResourceLifecycleError(
                f"resources cannot be opened: they are already {self._state.value}; "
                "create a new Resources object instead"
            )
        self._state = ResourceState.OPENED
        try:
            await self._open_parts()
        except BaseException:
            await self.close()
            raise

    async def _open_parts(self) -> None:
        settings = self.settings
        await anyio.Path(settings.storage_dir).mkdir(parents=True, exist_ok=True)
        store = make_store(settings)
        await store.open(verify=self._verify_store)
        self._store = store
        self._on_close("store", store.close)

        self._threads = ThreadPoolExecutor(
            max_workers=settings.thread_pool_size, thread_name_prefix="aivideo-io"
        )
        self._on_close("thread pool", self._shutdown_executor(self._threads))

        self._processes = ProcessPool(settings.process_pool_size, settings.media_max_pixels)
        await self._processes.start()
        self._on_close("process pool", self._processes.shutdown)

        self._http = httpx.AsyncClient(
            limits=httpx.Limits(
                max_connections=settings.http_max_connections,
                max_keepalive_connections=settings.http_max_keepalive,
            ),
            timeout=httpx.Timeout(
                settings.http_read_timeout, connect=settings.http_connect_timeout
            ),
            follow_redirects=False,
            event_hooks=HTTP_EVENT_HOOKS,
        )
        self._on_close("HTTP client", self._http.aclose)

        self._cache = make_cache(settings)
        await self._cache.open()
        self._on_close("cache", self._cache.close)
        self._providers = Providers(settings, self._http, self._cache)

        # Off the loop: SQLAlchemy's SQLite dialect resolves the file path on creation.
        self._engine = await asyncio.to_thread(create_engine, settings)
        time_database_statements(self._engine)
        self._sessions = create_session_factory(self._engine)
        self._on_close("database engine", self._engine.dispose)
        self._read_sessions = self._sessions
        if read_engine := create_read_engine(settings):
            time_database_statements(read_engine)
            self._read_sessions = create_session_factory(read_engine)
            self._on_close("read engine", read_engine.dispose)

        await self._open_caches(settings, self._engine, self._cache)

    async def _open_caches(self, settings: Settings, engine: AsyncEngine, cache: Cache) -> None:
        """The caches of API keys and videos, each only where it stays correct."""
        dsn = listening_dsn(settings.effective_database_url)
        if dsn is None:
            # A memory cache of videos is only right when this process makes the
            # videos it serves: changes made by other processes could not reach it.
            shared = settings.redis_url is not None or (
                settings.broker_url is None and settings.render_slots > 0
            )
            self._video_cache = VideoStatusCache(
                cache, settings.cache_video_ttl, enabled=settings.cache_videos and shared
            )
            # Without a feed, a key revoked by another process (the command line)
            # could not reach this one: every request looks its key up.
            self._key_cache = KeyCache(lambda: False, settings.cache_key_ttl, size=1)
            return

        # PostgreSQL tells every process what changed: both caches in memory.
        feed = self.change_feed = ChangeFeed(engine, dsn)
        self._video_cache = VideoStatusCache(
            LocalStore(settings.cache_memory_size),
            settings.cache_video_ttl,
            enabled=settings.cache_videos,
            news=feed,
        )
        self._key_cache = KeyCache(
            lambda: feed.live, settings.cache_key_ttl, size=settings.cache_memory_size
        )
        feed.on_change(VIDEOS_CHANNEL, self._video_cache.heard)
        feed.on_reset(self._video_cache.forget_all)
        feed.on_change(API_KEYS_CHANNEL, self._key_cache.forget_all)
        feed.on_reset(self._key_cache.forget_all)
        await feed.start()
        self._on_close("change feed", feed.close)

    def _on_close(self, name: str, closer: Callable[[], Awaitable[Any]]) -> None:
        self._closers.append((name, closer))

    @staticmethod
    def _shutdown_executor(executor: ThreadPoolExecutor) -> Callable[[], Awaitable[None]]:
        async def shutdown() -> None:
            # shutdown(wait=True) joins threads: do it off the loop.
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

        return shutdown

    async def close(self) -> None:
        """Close in reverse order of opening. One part failing does not stop the rest."""
        if self._state is ResourceState.CLOSED:
            return
        self._state = ResourceState.CLOSED
        while self._closers:
            name, closer = self._closers.pop()
            try:
                await closer()
            except Exception:
                logger.exception("closing the %s failed; closing the other resources anyway", name)

    def _require(self, part: T | None, name: str) -> T:
        if self._state is not ResourceState.OPENED or part is None:
            raise ResourceLifecycleError(
                f"the {name} is not available: resources are {self._state.value} "
                "(open them with `await resources.open()` before use)"
            )
        return part

    @property
    def engine(self) -> AsyncEngine:
        return self._require(self._engine, "database engine")

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """A factory of database sessions bound to the pooled engine."""
        return self._require(self._sessions, "database session factory")

    @property
    def read_sessions(self) -> async_sessionmaker[AsyncSession]:
        """Sessions for the API's hot reads: autocommit, unpinged (``create_read_engine``)."""
        return self._require(self._read_sessions, "database read session factory")

    @property
    def http(self) -> httpx.AsyncClient:
        return self._require(self._http, "HTTP client")

    @property
    def cache(self) -> Cache:
        return self._require(self._cache, "cache")

    @property
    def video_cache(self) -> VideoStatusCache:
        """Videos as the API shows them; invalidate after every committed change."""
        return self._require(self._video_cache, "video status cache")

    @property
    def key_cache(self) -> KeyCache:
        """Who owns which API key, for as long as revocations reach this process."""
        return self._require(self._key_cache, "API key cache")

    @property
    def providers(self) -> Providers:
        """The script writer, voices and footage libraries this process is set up with."""
        return self._require(self._providers, "providers")

    @property
    def storage_dir(self) -> Path:
        """This machine's folder where videos are made (and, by default, kept)."""
        return self._require(self.settings.storage_dir, "storage")

    @property
    def store(self) -> ObjectStore:
        """Where finished videos' files are kept and served from."""
        return self._require(self._store, "store")

    async def run_in_thread(self, func: Callable[..., T], *args: Any) -> T:
        """Run a sync-only library call in the bounded thread pool."""
        pool = self._require(self._threads, "thread pool")
        return await asyncio.get_running_loop().run_in_executor(pool, func, *args)

    @property
    def process_pool(self) -> ProcessPool:
        return self._require(self._processes, "process pool")

    async def run_in_process(self, func: Callable[..., T], *args: Any) -> T:
        """Run CPU-heavy work in the process pool (``func`` and args must pickle).

        Raises:
            WorkerProcessLost: a pool process died meanwhile (transient: retry the video).
        """
        return await self.process_pool.run(func, *args)

    async def renew_process_pool(self) -> None:
        """Replace the pool's processes by fresh ones, giving back what they held."""
        await self.process_pool.renew()

    async def __aenter__(self) -> Resources:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
