"""The /v1/videos routes: HTTP in, service call, schema out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from aivideo.api import file_responses as files
from aivideo.api.dependencies import (
    CurrentUser,
    JobsDep,
    QueueLimitsDep,
    ReleasedVideo,
    ResourcesDep,
    ServicesDep,
    SessionDep,
    VideoId,
    VideoReadsDep,
)
from aivideo.api.model_responses import ModelResponse
from aivideo.api.pagination import decode_cursor, decode_int_cursor, encode_cursor
from aivideo.api.progress_stream import (
    EVENT_STREAM_DOCS,
    EventStream,
    log_position,
    progress_events,
)
from aivideo.api.storyboard import read_storyboard
from aivideo.api.stream_limits import StreamSlot
from aivideo.core import outputs
from aivideo.core.status import VideoStatus
from aivideo.db import repository
from aivideo.jobs.live_event import LiveEvent
from aivideo.jobs.video_files import remove_video_files
from aivideo.videos import service
from aivideo.videos.cached import cached_video, cached_videos
from aivideo.videos.create_checks import check_new_videos
from aivideo.videos.schemas import (
    StoryboardPublic,
    VideoBatch,
    VideoBatchCreate,
    VideoBatchFound,
    VideoBatchGet,
    VideoCreate,
    VideoEventPage,
    VideoEventPublic,
    VideoPage,
    VideoPublic,
    video_public,
)
from aivideo.videos.service import QueueLimits

router = APIRouter(prefix="/v1/videos", tags=["videos"])


PageLimit = Annotated[int, Query(ge=1, le=100, description="Items per page (1-100).")]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=VideoPublic,
    summary="Queue a new video",
)
async def create_video(
    body: VideoCreate,
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(description="Retrying with the same key and body returns the same video."),
    ] = None,
) -> ModelResponse:
    resources = services.resources
    await check_new_videos([body], resources.settings, resources.providers, batch=False)
    if idempotency_key is None:
        # Committed together with the creates that arrive meanwhile.
        video = await services.group_commit.create(user, body)
        replayed = False
    else:
        async with resources.sessions() as session:
            created = await service.create_video(
                session, user, body, idempotency_key, QueueLimits.of(resources.settings)
            )
        video, replayed = created.video, created.replayed
    if not replayed:
        await services.jobs.publish([video.id])
    # Not request.url_for: it tries every route in turn, a twentieth of a create's CPU.
    headers = {"Location": f"{request.base_url}{router.prefix.lstrip('/')}/{video.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return ModelResponse(video_public(video), status.HTTP_202_ACCEPTED, headers)


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED, summary="Queue up to 50 videos")
async def create_videos(
    body: VideoBatchCreate,
    session: SessionDep,
    user: CurrentUser,
    jobs: JobsDep,
    limits: QueueLimitsDep,
    resources: ResourcesDep,
) -> VideoBatch:
    await check_new_videos(body.videos, resources.settings, resources.providers, batch=True)
    videos = await service.create_videos(session, user, body.videos, limits)
    await jobs.publish([video.id for video in videos])
    return VideoBatch(videos=[video_public(video) for video in videos])


@router.post("/batch-get", summary="Look up to 50 videos at once")
async def get_videos(
    body: VideoBatchGet, user: CurrentUser, resources: ResourcesDep, reads: VideoReadsDep
) -> VideoBatchFound:
    found = await cached_videos(resources.video_cache, reads, user.id, body.ids)
    ids = list(dict.fromkeys(body.ids))
    return VideoBatchFound(
        videos=[found[i] for i in ids if i in found],
        not_found=[i for i in ids if i not in found],
    )


@router.get("", summary="Your videos, newest first")
async def list_videos(
    session: SessionDep,
    user: CurrentUser,
    status: VideoStatus | None = None,
    limit: PageLimit = 20,
    cursor: str | None = None,
) -> VideoPage:
    before_id = decode_cursor(cursor) if cursor else None
    # One extra row tells whether there is a next page without a COUNT query.
    videos = await repository.list_videos(
        session, user.id, status=status, limit=limit + 1, before_id=before_id
    )
    has_more = len(videos) > limit
    videos = videos[:limit]
    return VideoPage(
        items=[video_public(video) for video in videos],
        next_cursor=encode_cursor(videos[-1].id) if has_more else None,
    )


@router.get("/{video_id}", response_model=VideoPublic, summary="One video")
async def get_video(video_id: VideoId, user: CurrentUser, services: ServicesDep) -> ModelResponse:
    # No session dependency: a video the cache has costs no database session.
    video = await cached_video(
        services.resources.video_cache, services.video_reads, user.id, video_id
    )
    return ModelResponse(video)


@router.post("/{video_id}/cancel", summary="Cancel a queued or running video")
async def cancel_video(
    video_id: VideoId,
    session: SessionDep,
    user: CurrentUser,
    jobs: JobsDep,
    resources: ResourcesDep,
) -> VideoPublic:
    video = await service.cancel_video(session, user, video_id)
    await resources.video_cache.invalidate(video.id)
    jobs.cancel(video.id)
    await jobs.live.publish(video.id, LiveEvent.status_changed(video.status))
    return video_public(video)


@router.get(
    "/{video_id}/progress",
    response_class=EventStream,
    responses=EVENT_STREAM_DOCS,
    summary="Live progress as Server-Sent Events, ending with the final status",
)
async def video_progress(
    video_id: VideoId,
    user: CurrentUser,
    _slot: StreamSlot,
    resources: ResourcesDep,
    reads: VideoReadsDep,
    jobs: JobsDep,
    after_event_id: Annotated[int, Depends(log_position)],
) -> EventStream:
    # Ownership (404) and the user's open streams (429) are checked before the
    # stream starts: an error cannot follow a 200 header. Through the cache and
    # batched reads, not a session each: thousands of streams open at once.
    await cached_video(resources.video_cache, reads, user.id, video_id)
    events = progress_events(
        resources, jobs.live, video_id,
        max_seconds=resources.settings.stream_max_seconds,
        after_event_id=after_event_id,
    )  # fmt: skip
    return EventStream(events)


@router.post("/{video_id}/retry", summary="Queue a failed or cancelled video again")
async def retry_video(
    video_id: VideoId,
    session: SessionDep,
    user: CurrentUser,
    jobs: JobsDep,
    limits: QueueLimitsDep,
    resources: ResourcesDep,
) -> VideoPublic:
    video = await service.retry_video(session, user, video_id, limits)
    await resources.video_cache.invalidate(video.id)
    await jobs.publish([video.id])
    return video_public(video)


@router.delete(
    "/{video_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a video and its log",
)
async def delete_video(
    video_id: VideoId, session: SessionDep, user: CurrentUser, resources: ResourcesDep
) -> None:
    deleted = await service.delete_video(session, user, video_id)
    # The stored id names the cache entry and the files, whatever the path said.
    await resources.video_cache.invalidate(deleted.id)
    await remove_video_files(resources, deleted.id)


@router.get("/{video_id}/events", summary="The video's log, oldest first")
async def list_events(
    video_id: VideoId,
    session: SessionDep,
    user: CurrentUser,
    limit: PageLimit = 50,
    cursor: str | None = None,
) -> VideoEventPage:
    video = await service.get_owned_video(session, user, video_id)
    after_id = decode_int_cursor(cursor) if cursor else None
    events = await repository.list_events(session, video.id, limit=limit + 1, after_id=after_id)
    has_more = len(events) > limit
    events = events[:limit]
    return VideoEventPage(
        items=[VideoEventPublic.model_validate(event, from_attributes=True) for event in events],
        next_cursor=encode_cursor(events[-1].id) if has_more else None,
    )


# Every download answers with the file (HTTP Range supported), or a 307 to a
# presigned URL of the store (AIVIDEO_DOWNLOAD_MODE=redirect).
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file (or, with `link=true`, a FileLink as JSON)."},
    307: {"description": "Redirect to a short-lived presigned URL of the store."},
    404: {"description": "The video has no such file (yet): the message says why."},
}
LinkOnly = Annotated[
    bool,
    Query(
        description="Answer with where to fetch the file (a FileLink, JSON) instead of the "
        "file or a redirect: for web pages, which cannot send a key along a redirect."
    ),
]


@router.get(
    "/{video_id}/file",
    summary="The video file (HTTP Range supported)",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_video(
    video: ReleasedVideo, request: Request, resources: ResourcesDep, link: LinkOnly = False
) -> Response:
    return await files.serve_video(resources, request, video, link=link)


@router.get(
    "/{video_id}/thumbnail.jpg",
    summary="A 512x512 JPEG of the video",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_thumbnail(
    video: ReleasedVideo, request: Request, resources: ResourcesDep, link: LinkOnly = False
) -> Response:
    return await files.serve_file(resources, request, video, outputs.THUMBNAIL, link=link)


@router.get(
    "/{video_id}/subtitles.vtt",
    summary="The subtitles as WebVTT",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_vtt(
    video: ReleasedVideo, request: Request, resources: ResourcesDep, link: LinkOnly = False
) -> Response:
    return await files.serve_file(resources, request, video, outputs.SUBTITLES_VTT, link=link)


@router.get(
    "/{video_id}/subtitles.srt",
    summary="The subtitles as SubRip (SRT)",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_srt(
    video: ReleasedVideo, request: Request, resources: ResourcesDep, link: LinkOnly = False
) -> Response:
    return await files.serve_file(resources, request, video, outputs.SUBTITLES_SRT, link=link)


@router.get(
    "/{video_id}/words.json",
    summary="Every word with when it is spoken, as JSON",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_words(
    video: ReleasedVideo, request: Request, resources: ResourcesDep, link: LinkOnly = False
) -> Response:
    # Written by the subtitles stage: {"words": [{"text", "start", "end"}]}, in seconds.
    return await files.serve_file(resources, request, video, outputs.WORDS, link=link)


@router.get("/{video_id}/scenes", summary="The storyboard: each scene, what it says and shows")
async def get_storyboard(
    video: ReleasedVideo, request: Request, resources: ResourcesDep
) -> StoryboardPublic:
    def preview_url(index: int) -> str:
        return request.url_for("download_scene_preview", video_id=video.id, index=index).path

    return await read_storyboard(resources.store, video, preview_url)


SceneIndex = Annotated[int, Path(ge=0, description="The scene's `index` (0 is the first).")]


@router.get(
    "/{video_id}/scenes/{index}.jpg",
    summary="A small JPEG of what one scene shows",
    response_class=Response,
    responses=FILE_RESPONSES,
)
async def download_scene_preview(
    video: ReleasedVideo,
    index: SceneIndex,
    request: Request,
    resources: ResourcesDep,
    link: LinkOnly = False,
) -> Response:
    return await files.serve_file(
        resources, request, video, outputs.scene_preview(index), link=link
    )
