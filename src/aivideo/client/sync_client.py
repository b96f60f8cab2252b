"""The synchronous client: :class:`Client`.

What to send and how to read the answers is in ``calls``, ``events`` and
``downloads``, shared with :class:`~aivideo.client.AsyncClient`; this module
only sends requests and waits, blocking.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

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


class Client:
    """A client of the aivideo API that blocks while it waits.

    Arguments:
        base_url: the server, e.g. ``http://127.0.0.1:8000``.
        api_key: the key from ``aivideo keys create``; unset, ``AIVIDEO_API_KEY``;
            ``""``: none (a server on this machine may not need one).
        timeout: httpx's time limits for each request.
        transport: an httpx transport to send through.
        http_client: an httpx client to reuse instead (it is not closed with this one);
            without ``base_url``, its own base URL is used.

    Raises (from every method): an :class:`~aivideo.client.AivideoError` subclass
    for each error the API answers, and httpx's errors when it cannot be reached.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        check_transport_arguments(transport, http_client)
        self._connection = Connection.of(base_url, api_key, has_http_client=http_client is not None)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def create(
        self,
        request: VideoCreate | Mapping[str, Any] | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> VideoPublic:
        """Queue a video: a :class:`VideoCreate`, or its fields (a mapping, keyword arguments).

        The same ``idempotency_key`` with the same request returns the same video.

        Raises:
            ValidationFailed: a field is wrong; ``field_errors`` names each one.
            QueueFull: too many videos are waiting; send it again after ``retry_after``.
        """
        body = calls.as_request(request, fields)
        return self._send(calls.create(body, idempotency_key))

    def create_batch(
        self, videos: Iterable[VideoCreate | Mapping[str, Any]]
    ) -> builtins.list[VideoPublic]:
        """Queue up to 50 videos: all of them, or none if one is refused."""
        bodies = [calls.as_request(video, {}) for video in videos]
        return self._send(calls.create_batch(bodies)).videos

    def get(self, video_id: str) -> VideoPublic:
        return self._send(calls.get(video_id))

    def get_many(self, video_ids: Iterable[str]) -> VideoBatchFound:
        """Up to 50 videos at once: those found, and the ids not found."""
        return self._send(calls.get_many(builtins.list(video_ids)))

    def list(
        self, *, status: VideoStatus | str | None = None, page_size: int = 50
    ) -> Iterator[VideoPublic]:
        """Every video of the key's user, newest first, fetched a page at a time."""
        cursor = None
        while True:
            page = self._send(calls.list_page(status, page_size, cursor))
            yield from page.items
            if (cursor := page.next_cursor) is None:
                return

    def cancel(self, video_id: str) -> VideoPublic:
        return self._send(calls.cancel(video_id))

    def retry(self, video_id: str) -> VideoPublic:
        return self._send(calls.retry(video_id))

    def delete(self, video_id: str) -> None:
        self._send(calls.delete(video_id))

    def progress(self, video_id: str, *, after_event_id: int = 0) -> Iterator[StreamEvent]:
        """The video's progress stream, until its :class:`DoneEvent`.

        A stream the server ends early, or a dropped connection, is reconnected
        where it stopped (the log lines after ``after_event_id`` on).
        """
        follower = StreamFollower(video_id, after_event_id)
        while follower.done is None:
            try:
                yield from self._stream_once(follower)
            except httpx.TransportError:
                pass  # connect again, after a moment
            if follower.done is None:
                time.sleep(follower.reconnect_delay())

    def wait(
        self, video_id: str, *, timeout: float | None = None, poll_interval: float = POLL_SECONDS
    ) -> VideoPublic:
        """The video once it is completed, failed or cancelled, looked at every ``poll_interval``.

        Raises:
            WaitTimeout: it had not finished after ``timeout`` seconds.
            NotFound: there is no such video, or it was deleted meanwhile.
        """
        deadline = Deadline(video_id, timeout)
        while not (video := self.get(video_id)).status.is_final:
            deadline.check()
            time.sleep(deadline.sleep_time(poll_interval))
        return video

    def download(
        self,
        video_id: str,
        destination: str | PathLike[str],
        what: VideoFile = "file",
        *,
        resume: bool = True,
    ) -> Path:
        """Save a file of a finished video to ``destination``, whole or not at all.

        With ``resume``, an interrupted download's temporary file is kept and
        the next call fetches only the rest; without, it is removed.
        """
        files = DownloadFiles(Path(destination))
        try:
            self._fetch(video_id, what, files, resume)
        except BaseException:
            if not resume:
                _discard(files)
            raise
        files.partial.replace(files.destination)
        files.version.unlink(missing_ok=True)
        return files.destination

    def _send(self, call: Call[T]) -> T:
        response = self._http.request(**self._connection.request_arguments(call))
        return call.decode(response)

    def _stream_once(self, follower: StreamFollower) -> Iterator[StreamEvent]:
        with self._http.stream(**self._connection.request_arguments(follower.call())) as answer:
            if answer.is_error:
                answer.read()
                raise_for_error(answer)
            for sse in EventSource(answer).iter_sse():
                if (event := follower.read(sse)) is not None:
                    yield event
                if follower.done is not None:
                    return

    def _fetch(self, video_id: str, what: VideoFile, files: DownloadFiles, resume: bool) -> None:
        """Bring the temporary file to the whole file."""
        while True:  # at most twice: a second time only after throwing a partial file away
            partial = _partial_on_disk(files) if resume else PartialDownload()
            call = calls.download(video_id, what, partial.request_headers())
            with self._http.stream(**self._connection.request_arguments(call)) as answer:
                step = partial.next_step(answer)
                if step is Step.ERROR:
                    answer.read()
                    raise_for_error(answer)
                if step is Step.START_OVER:
                    _discard(files)
                    continue
                if step is not Step.ALREADY_WHOLE:
                    _write(files, answer, append=step is Step.APPEND, resume=resume)
                return


def _partial_on_disk(files: DownloadFiles) -> PartialDownload:
    try:
        return PartialDownload(files.partial.stat().st_size, files.version.read_text().strip())
    except FileNotFoundError:
        return PartialDownload()


def _write(files: DownloadFiles, answer: httpx.Response, *, append: bool, resume: bool) -> None:
    if resume and not append:
        files.version.write_text(version_of(answer))
    with files.partial.open("ab" if append else "wb") as sink:
        for chunk in answer.iter_bytes(CHUNK_BYTES):
            sink.write(chunk)


def _discard(files: DownloadFiles) -> None:
    files.partial.unlink(missing_ok=True)
    files.version.unlink(missing_ok=True)
