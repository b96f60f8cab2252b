"""``aivideo worker``: make videos from the shared queue until told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal

from prometheus_client import start_http_server

from aivideo.core.config import Settings
from aivideo.db.migrate import prepare_schema
from aivideo.jobs.system import JobSystem
from aivideo.observability import gc_pauses
from aivideo.observability.loop_lag import LoopLagMonitor
from aivideo.runtime.readiness import check_components
from aivideo.runtime.resources import Resources

logger = logging.getLogger("aivideo.worker")


async def run_worker(settings: Settings) -> None:
    """Work until SIGTERM or Ctrl-C, then stop within the grace period."""
    async with Resources(settings) as resources:
        await prepare_schema(settings, resources.engine)
        jobs = JobSystem(resources, settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        lag = LoopLagMonitor()
        lag.start()
        await serve_metrics(settings.worker_metrics_host, settings.worker_metrics_port)
        await jobs.start()
        assert jobs.worker is not None
        broker = "RabbitMQ" if settings.broker_url else "the database (no broker configured)"
        logger.info("worker %s: %d render slots, videos from %s",
                    jobs.worker.id, settings.render_slots, broker)  # fmt: skip
        gc_pauses.install()
        try:
            await stop.wait()
            logger.info("stopping: finishing running videos for up to %.0f s",
                        settings.shutdown_grace)  # fmt: skip
        finally:
            gc_pauses.remove()
            await jobs.stop()
            await lag.stop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
    logger.info("worker stopped")


async def serve_metrics(host: str, port: int) -> None:
    """Serve this worker's metrics on their own port (a thread of prometheus-client).

    On 127.0.0.1 by default: the metrics name routes, hosts and counts that are
    for the operator, not for whoever can reach the machine.
    """
    if port == 0:
        return
    try:
        await asyncio.to_thread(start_http_server, port, addr=host)
    except OSError as exc:
        logger.warning("no metrics server: cannot listen on %s port %d (%s); set "
                       "AIVIDEO_WORKER_METRICS_HOST or _PORT", host, port, exc)  # fmt: skip
        return
    logger.info("metrics on http://%s:%d/metrics", host, port)


async def check_worker(settings: Settings) -> dict[str, dict[str, str]]:
    """What a health probe needs: can this machine reach everything a worker uses?"""
    # A store that refuses is reported with the rest, not raised at opening.
    async with Resources(settings, verify_store=False) as resources:
        return await check_components(resources)
