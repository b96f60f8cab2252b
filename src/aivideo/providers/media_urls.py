"""Pictures and clips from the request's ``media_urls``: downloaded, checked, kept.

Each URL makes this server send a request to an address a user chose, so its
host must pass the address guard (``address_guard``: public addresses only,
and the request goes to the very address that was checked). Redirects are
followed here, at most ``MAX_REDIRECTS``, each target checked the same way.

A file is accepted by its content, not by its Content-Type: a web page served
as image/jpeg is refused. Each file appears in the video's folder whole or not
at all, so a retried video reuses what an earlier attempt downloaded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path

import anyio
import httpx

from aivideo.core.atomic_files import partial_path
from aivideo.core.errors import InvalidInput
from aivideo.core.executors import Executors
from aivideo.core.spec import MediaFile
from aivideo.media.limits import DEFAULT_MAX_PIXELS, MediaTooLarge
from aivideo.media.probe import identify_media
from aivideo.providers.address_guard import (
    Destination,
    NameServerSilent,
    NotPublic,
    RefusedHost,
    checked_destination,
)
from aivideo.providers.errors import ProviderUnavailable
from aivideo.providers.http_calls import RETRIED_STATUSES, ProviderHttp, TooLarge, why_no_answer

MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "aivideo (downloads the media_urls of a video)"
# File names for the usual types; the content decides what a file is, the name only helps people.
_SUFFIXES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/avif": ".avif",
    "image/bmp": ".bmp",
    "image/tiff": ".tiff",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "video/x-matroska": ".mkv",
    "video/ogg": ".ogv",
    "video/mpeg": ".mpg",
}

# A generic or missing type is common for files in object stores: the content decides.
_UNLABELLED = frozenset({"", "application/octet-stream"})


@dataclass(frozen=True)
class MediaDownloads:
    """How ``media_urls`` are fetched: the HTTP client, its limits, a thread for the checks."""

    http: ProviderHttp
    executors: Executors
    max_bytes: int
    allow_private: bool  # AIVIDEO_ALLOW_PRIVATE_URLS: for tests and self-hosted set-ups
    max_pixels: int = DEFAULT_MAX_PIXELS  # AIVIDEO_MEDIA_MAX_PIXELS


@dataclass(frozen=True)
class _Source:
    """One URL to download; its text names it in every error message."""

    index: int
    url: httpx.URL
    field: str  # where the request has it: "media_urls[2]", "scenes[4].media_url"
    prefix: str  # its file's name, before the index

    def __str__(self) -> str:
        return f"{self.field} ({_shortened(self.url)})"


async def fetch_media(
    downloads: MediaDownloads,
    urls: list[str],
    folder: Path,
    *,
    fields: list[str] | None = None,
    prefix: str = "media",
) -> list[MediaFile]:
    """Download each of ``urls`` into ``folder`` as ``<prefix>-<index><suffix>``, all at once.

    Arguments:
        fields: where the request has each URL, for messages; unset: ``media_urls[i]``.

    Returns:
        The pictures and clips, in the order of ``urls``.

    Raises:
        InvalidInput: a URL is not allowed, answers with a 4xx, is too large, or
            is not a picture or a clip; the message names it and says what to do.
        ProviderUnavailable: a server did not answer, or kept failing, after
            every retry: worth trying the video again later.
    """
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    fields = fields or [f"media_urls[{index}]" for index in range(len(urls))]
    sources = [
        _Source(index, _parsed(field, url), field, prefix)
        for index, (url, field) in enumerate(zip(urls, fields, strict=True))
    ]
    first_failure = None
    try:
        # One failure fails the video: a TaskGroup stops the other downloads at once.
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_fetch(downloads, s, folder)) for s in sources]
    except ExceptionGroup as failures:
        first_failure = failures.exceptions[0]
    if first_failure is not None:
        raise first_failure  # raised out here, it keeps its own cause, not the group
    return [task.result() for task in tasks]


def _parsed(field: str, url: str) -> httpx.URL:
    try:
        return httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"{field}: not a valid URL ({exc})") from exc


async def _fetch(downloads: MediaDownloads, source: _Source, folder: Path) -> MediaFile:
    name = f"{source.prefix}-{source.index}"
    kept = await _downloaded_before(downloads, folder, name)
    if kept is not None:
        return kept
    # Streamed to disk as it arrives (a clip may be large); named once its type is known.
    partial = anyio.Path(partial_path(folder / name))
    try:
        response = await _download(downloads, source, Path(partial))
        content_type = _media_type(response, source)
        final = folder / f"{name}{_suffix(content_type)}"
        # Pillow and PyAV read the file's headers: sync libraries, so a thread.
        try:
            found = await downloads.executors.run_in_thread(
                identify_media, Path(partial), downloads.max_pixels
            )
        except MediaTooLarge as exc:
            raise InvalidInput(f"{source} {exc.reason}") from exc
        if found is None:
            raise InvalidInput(
                f"{source}: not a picture or a video clip that can be read (it came as "
                f"{content_type or 'no content type'}); link to the image or video file "
                "itself, not to a web page that shows it"
            )
        await partial.rename(final)
    finally:
        await partial.unlink(missing_ok=True)  # only a failure leaves it: never a half file
    return replace(found, path=final)


async def _downloaded_before(
    downloads: MediaDownloads, folder: Path, name: str
) -> MediaFile | None:
    """The file an earlier attempt of this video kept (a whole one: it was renamed in)."""
    async for path in anyio.Path(folder).glob(f"{name}.*"):
        try:
            found = await downloads.executors.run_in_thread(
                identify_media, Path(path), downloads.max_pixels
            )
        except MediaTooLarge:
            continue  # kept under a larger limit: fetched again, refused naming its URL
        if found is not None:
            return found
    return None


async def _download(downloads: MediaDownloads, source: _Source, into: Path) -> httpx.Response:
    """The final reply to ``source``, after its redirects: a 2xx (body in ``into``) or an error."""
    http = downloads.http
    url = source.url
    for _ in range(MAX_REDIRECTS + 1):
        response = await _get(downloads, http, source, url, into)
        if response.status_code not in _REDIRECTS:
            return _successful(response, source, http)
        location = response.headers.get("Location")
        if not location:
            raise InvalidInput(
                f"{source}: the server answered HTTP {response.status_code} (a redirect) "
                "without saying where to; link to the file itself"
            )
        url = url.join(location)
    raise InvalidInput(f"{source}: more than {MAX_REDIRECTS} redirects; link to the file itself")


async def _get(
    downloads: MediaDownloads, http: ProviderHttp, source: _Source, url: httpx.URL, into: Path
) -> httpx.Response:
    """One GET of ``url``, sent to the address that was checked for it."""
    if url.scheme not in ("http", "https"):
        raise InvalidInput(f"{source}: only http and https URLs can be downloaded, not {url}")
    destination = await _checked(url, source, allow_private=downloads.allow_private)
    try:
        return await http.request(
            "GET",
            destination.address_url,
            max_bytes=downloads.max_bytes,
            into=into,
            headers={**destination.headers, "User-Agent": _USER_AGENT},
            extensions=destination.extensions,
        )
    except TooLarge as exc:
        raise InvalidInput(
            f"{source}: the file is larger than the limit of {exc.limit:,} bytes; "
            "use a smaller picture or a shorter clip"
        ) from exc
    except ProviderUnavailable as exc:
        raise ProviderUnavailable(
            f"{source}: the server did not answer after {http.policy.attempts} tries "
            f"({why_no_answer(exc.__cause__)}); check the URL, or try again later"
        ) from exc


def _successful(response: httpx.Response, source: _Source, http: ProviderHttp) -> httpx.Response:
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    if response.status_code in RETRIED_STATUSES:
        raise ProviderUnavailable(
            f"{source}: the server still answered {status} after {http.policy.attempts} "
            "tries; try again later"
        )
    if not response.is_success:
        raise InvalidInput(
            f"{source}: could not be downloaded: {status}; check that the URL is right "
            "and that the file is public"
        )
    return response


def _media_type(response: httpx.Response, source: _Source) -> str:
    """The reply's content type, if it may be a picture or a clip ("" when it gives none)."""
    header: str = response.headers.get("Content-Type", "")
    content_type = header.partition(";")[0].strip().lower()
    if content_type.startswith(("image/", "video/")) or content_type in _UNLABELLED:
        return content_type
    raise InvalidInput(
        f"{source}: the server sent {content_type}, not a picture or a video clip; "
        "link to the image or video file itself, not to a web page that shows it"
    )


def _suffix(content_type: str) -> str:
    return _SUFFIXES.get(content_type, ".bin")


async def _checked(url: httpx.URL, source: _Source, *, allow_private: bool) -> Destination:
    """Where to send the request for ``url``: an address of its host, all of them public."""
    try:
        return await checked_destination(url, allow_private=allow_private)
    except NotPublic as exc:
        raise InvalidInput(
            f"{source}: {exc}, which this server does not download from; "
            "use a URL on the public internet"
        ) from exc
    except RefusedHost as exc:
        raise InvalidInput(f"{source}: {exc}; check the URL") from exc
    except NameServerSilent as exc:
        raise ProviderUnavailable(f"{source}: {exc}; try again later") from exc


def _shortened(url: httpx.URL, limit: int = 80) -> str:
    """``url`` for a message: no query (it may hold a signature), cut to ``limit``."""
    shown = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
    if url.query:
        shown += "?…"
    if len(shown) > limit:
        shown = f"{shown[: limit - 25]}…{shown[-24:]}"
    return shown
