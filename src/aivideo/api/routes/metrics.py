"""``GET /metrics``: everything in Prometheus's text format, video counts read fresh."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from aivideo.api.dependencies import ResourcesDep
from aivideo.core.status import VideoStatus
from aivideo.db.models import Video
from aivideo.observability.metrics import VIDEOS
from aivideo.runtime.resources import Resources

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


async def refresh_video_counts(resources: Resources) -> None:
    async with resources.sessions() as session:
        rows = await session.execute(select(Video.status, func.count()).group_by(Video.status))
        counts = {status: count for status, count in rows}
    for status in VideoStatus:
        VIDEOS.labels(status.value).set(counts.get(status.value, 0))


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(resources: ResourcesDep) -> Response:
    try:
        await refresh_video_counts(resources)
    except Exception as exc:  # the other metrics matter most when the database is down
        logger.warning("metrics: could not count videos: %s", exc)
    # The process collector reads /proc files: off the event loop.
    body = await resources.run_in_thread(generate_latest)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
