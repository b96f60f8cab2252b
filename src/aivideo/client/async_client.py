"""The asynchronous client: :class:`AsyncClient`.

The same calls as :class:`~aivideo.client.Client`, from the same ``calls``,
``events`` and ``downloads``; only the waiting differs: awaited, and files
written without blocking the event loop (anyio).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from contextlib import aclosing
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import anyio
import httpx
from httpx_sse import EventSource

from aivideo.client import calls
from aivideo.client.calls import Call, VideoFile, raise_for_error
from aivideo.client.connection import DEFAULT_TIMEOUT, Connection, check_transport_arguments
from aivideo.client.deadline import POLL_SECONDS, Deadline
from aivideo.client.downloads import (
    CHUNK_BYTES,
    DownloadFiles,
    PartialDownload,
    Step,
    version_of,
)
from aivideo.client.events import StreamEvent, StreamFollower
from aivideo.core.status import VideoStatus
from aivideo.videos.schemas import VideoBatchFound, VideoCreate, VideoPublic

T = TypeVar("T")


class AsyncClient:
    """A client of the aivideo API for asyncio (or trio) programs.

    Arguments and errors as :class:`~aivideo.client.Client`'s; ``transport``
    and ``http_client`` are httpx's asynchronous ones.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        check_transport_arguments(transport, http_client)
        self._connection = Connection.of(base_url, api_key, has_http_client=http_client is not None)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def create(
        self,
        request: VideoCreate | Mapping[str, Any] | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> VideoPublic:
        """Queue a video: see :meth:`Client.create`."""
        body = calls.as_request(request, fields)
        return await self._send(calls.create(body, idempotency_key))

    async def create_batch(
        self, videos: Iterable[VideoCreate | Mapping[str, Any]]
    ) -> builtins.list[VideoPublic]:
        """Queue up to 50 videos: all of them, or none if one is refused."""
        bodies = [calls.as_request(video, {}) for video in videos]
        return (await self._send(calls.create_batch(bodies))).videos

    async def get(self, video_id: str) -> VideoPublic:
        return await self._send(calls.get(video_id))

    async def get_many(self, video_ids: Iterable[str]) -> VideoBatchFound:
        """Up to 50 videos at once: those found, and the ids not found."""
        return await self._send(calls.get_many(builtins.list(video_ids)))

    async def list(
        self, *, status: VideoStatus | str | None = None, page_size: int = 50
    ) -> AsyncIterator[VideoPublic]:
        """Every video of the key's user, newest first, fetched a page at a time."""
        cursor = None
        while True:
            page = await self._send(calls.list_page(status, page_size, cursor))
            for video in page.items:
                yield video
            if (cursor := page.next_cursor) is None:
                return

    async def cancel(self, video_id: str) -> VideoPublic:
        return await self._send(calls.cancel(video_id))

    async def retry(self, video_id: str) -> VideoPublic:
        return await self._send(calls.retry(video_id))

    async def delete(self, video_id: str) -> None:
        await self._send(calls.delete(video_id))

    async def progress(
        self, video_id: str, *, after_event_id: int = 0
    ) -> AsyncGenerator[StreamEvent, None]:
        """The video's progress stream, until its :class:`DoneEvent`: see :meth:`Client.progress`.

        Leaving the loop early: close it (``contextlib.aclosing``), so that
        its connection is closed at once.
        """
        follower = StreamFollower(video_id, after_event_id)
        while follower.done is None:
            try:
                async with aclosing(self._stream_once(follower)) as events:
                    async for event in events:
                        yield event
            except httpx.TransportError:
                pass  # connect again, after a moment
            if follower.done is None:
                await anyio.sleep(follower.reconnect_delay())

    # ``timeout`` rather than anyio.fail_after around the call: the same signature as
    # Client.wait, and a WaitTimeout that names the video.
    async def wait(
        self,
        video_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        poll_interval: float = POLL_SECONDS,
    ) -> VideoPublic:
        """The video once it is completed, failed or cancelled: see :meth:`Client.wait`."""
        deadline = Deadline(video_id, timeout)
        while not (video := await self.get(video_id)).status.is_final:
            deadline.check()
            await anyio.sleep(deadline.sleep_time(poll_interval))
        return video

    async def download(
        self,
        video_id: str,
        destination: str | PathLike[str],
        what: VideoFile = "file",
        *,
        resume: bool = True,
    ) -> Path:
        """Save a file of a finished video: see :meth:`Client.download`."""
        files = DownloadFiles(Path(destination))
        try:
            await self._fetch(video_id, what, files, resume)
        except BaseException:
            if not resume:
                await _discard(files)
            raise
        await anyio.Path(files.partial).replace(files.destination)
        await anyio.Path(files.version).unlink(missing_ok=True)
        return files.destination

    async def _send(self, call: Call[T]) -> T:
        response = await self._http.request(**self._connection.request_arguments(call))
        return call.decode(response)

    async def _stream_once(self, follower: StreamFollower) -> AsyncGenerator[StreamEvent, None]:
        arguments = self._connection.request_arguments(follower.call())
        async with self._http.stream(**arguments) as answer:
            if answer.is_error:
                await answer.aread()
                raise_for_error(answer)
            async with aclosing(EventSource(answer).aiter_sse()) as events:
                async for sse in events:
                    if (event := follower.read(sse)) is not None:
                        yield event
                    if follower.done is not None:
                        return

    async def _fetch(
        self, video_id: str, what: VideoFile, files: DownloadFiles, resume: bool
    ) -> None:
        """Bring the temporary file to the whole file."""
        while True:  # at most twice: a second time only after throwing a partial file away
            partial = await _partial_on_disk(files) if resume else PartialDownload()
            call = calls.download(video_id, what, partial.request_headers())
            async with self._http.stream(**self._connection.request_arguments(call)) as answer:
                step = partial.next_step(answer)
                if step is Step.ERROR:
                    await answer.aread()
                    raise_for_error(answer)
                if step is Step.START_OVER:
                    await _discard(files)
                    continue
                if step is not Step.ALREADY_WHOLE:
                    await _write(files, answer, append=step is Step.APPEND, resume=resume)
                return


async def _partial_on_disk(files: DownloadFiles) -> PartialDownload:
    try:
        size = (await anyio.Path(files.partial).stat()).st_size
        version = await anyio.Path(files.version).read_text()
    except FileNotFoundError:
        return PartialDownload()
    return PartialDownload(size, version.strip())


async def _write(
    files: DownloadFiles, answer: httpx.Response, *, append: bool, resume: bool
) -> None:
    if resume and not append:
        await anyio.Path(files.version).write_text(version_of(answer))
    async with await anyio.open_file(files.partial, "ab" if append else "wb") as sink:
        async for chunk in answer.aiter_bytes(CHUNK_BYTES):
            await sink.write(chunk)


async def _discard(files: DownloadFiles) -> None:
    await anyio.Path(files.partial).unlink(missing_ok=True)
    await anyio.Path(files.version).unlink(missing_ok=True)
