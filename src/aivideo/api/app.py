"""The FastAPI application: resources opened in the lifespan, routers, errors."""

from __future__ import annotations

import asyncio
import gc
import mimetypes
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from aivideo import __version__
from aivideo.api.dependencies import ApiServices
from aivideo.api.errors import install_error_handlers
from aivideo.api.mcp_mount import mount_mcp
from aivideo.api.middleware.body_limits import BodyLimitMiddleware
from aivideo.api.middleware.load_shedding import LoadSheddingMiddleware, most_in_progress
from aivideo.api.middleware.request_ids import RequestIdMiddleware
from aivideo.api.middleware.request_metrics import RequestMetricsMiddleware
from aivideo.api.middleware.stream_admission import StreamAdmissionMiddleware
from aivideo.api.openapi import with_server_details
from aivideo.api.routes import features, health, metrics, videos, voices, web_page, webhooks
from aivideo.api.stream_limits import OpenStreams
from aivideo.auth.key_owners import KeyOwners
from aivideo.auth.service import LOCAL_USER_NAME, get_or_create_user
from aivideo.core.config import Settings, load_settings
from aivideo.db.migrate import prepare_schema
from aivideo.jobs.system import JobSystem
from aivideo.observability import gc_pauses
from aivideo.observability.logs import configure_logging
from aivideo.observability.loop_lag import LoopLagMonitor
from aivideo.pipeline.speech.registry import voice_catalogue
from aivideo.runtime.resources import Resources
from aivideo.videos.batched_reads import VideoReads
from aivideo.videos.group_commit import GroupCommit
from aivideo.videos.service import QueueLimits

LOCAL_USER_ENV = "AIVIDEO_SERVE_LOCAL_USER"  # set by `serve --workers N` for its processes


def app_from_environment() -> FastAPI:
    """The app of one process of `aivideo serve --workers N` (uvicorn's factory)."""
    settings = load_settings()
    configure_logging(json=settings.log_json)
    return create_app(settings, allow_local_user=os.environ.get(LOCAL_USER_ENV) == "1")


def create_app(settings: Settings, *, allow_local_user: bool = False) -> FastAPI:
    """Build the API app.

    Arguments:
        settings: the configuration; the app's resources are made from it.
        allow_local_user: requests without an API key act as the user "local".
            Only for a server bound to a loopback address.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Static files get their type from mimetypes, whose first use reads the
        # system's type tables from disk: do that now, off the event loop.
        await asyncio.to_thread(mimetypes.init)
        async with Resources(settings) as resources:
            await prepare_schema(settings, resources.engine)
            app.state.local_user_id = None
            if allow_local_user:
                async with resources.sessions() as session:
                    user = await get_or_create_user(session, LOCAL_USER_NAME)
                    await session.commit()
                    app.state.local_user_id = user.id
            jobs = JobSystem(resources, settings)
            app.state.services = ApiServices(
                resources,
                jobs,
                GroupCommit(resources.sessions, QueueLimits.of(settings)),
                VideoReads(resources.read_sessions),
                KeyOwners(resources.read_sessions, resources.key_cache),
            )
            lag = LoopLagMonitor()
            lag.start()
            await jobs.start()
            # What start-up made (modules, classes, the app) lives as long as the
            # process: out of the collector's sight, a full collection walks only
            # what requests made since. Measured under load: 150 ms pauses of the
            # event loop every few seconds before, see bench/api_bench.py. Collected
            # first, so that no garbage of start-up is kept for ever. From then on
            # gc_pauses freezes what a long full pass finds alive, and thaws it all
            # (these objects too) every 10 minutes.
            gc.collect()
            gc.freeze()
            gc_pauses.install()
            try:
                # The MCP tools use the job system: they stop first.
                async with mcp_sessions.run():
                    yield
            finally:
                gc_pauses.remove()
                await jobs.stop()
                await lag.stop()

    app = FastAPI(
        title="aivideo",
        version=__version__,
        description="Text in, narrated video out. Every route but /healthz and /readyz "
        "needs `Authorization: Bearer <key>`.",
        lifespan=lifespan,
    )
    with_server_details(app, lambda: voice_catalogue(settings))
    # Inside the body limit: a request is counted as in progress once its body is
    # in, so clients that send bodies slowly cannot make everyone else refused.
    app.add_middleware(
        LoadSheddingMiddleware,
        max_wait=settings.serve_max_wait,
        max_in_progress=most_in_progress(
            settings.serve_max_requests, settings.serve_limit_concurrency
        ),
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # every line of a request has its id
    # Outermost: a stream waiting to start has cost nothing yet but its connection.
    app.add_middleware(StreamAdmissionMiddleware)
    install_error_handlers(app)
    app.state.open_streams = OpenStreams(settings.max_streams_per_user)
    # Routes are tried in order: the busiest first (a cached GET 10% cheaper than third).
    app.include_router(videos.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(webhooks.router)
    app.include_router(voices.router)
    app.include_router(features.router)
    app.include_router(web_page.router)
    app.mount("/static", web_page.static_files, name="static")
    mcp_sessions = mount_mcp(app)
    return app
