"""Stock files on disk: each URL downloaded once, checked, and kept for the next video.

A file is named by the SHA-256 of its URL, so the same clip found again (by
any video, in any process sharing the data folder) is read from disk instead
of downloaded. It is written under a temporary name and renamed into place
only once it is known to be a picture or a clip: the cache never holds a
half-written file or a page of HTML.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import anyio

from aivideo.core.atomic_files import atomic_path
from aivideo.core.spec import MediaFile
from aivideo.media.limits import DEFAULT_MAX_PIXELS, MediaTooLarge
from aivideo.media.probe import identify_media
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.http_calls import ProviderHttp, TooLarge

_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def cached_path(folder: Path, url: str, is_clip: bool) -> Path:
    """Where the file at ``url`` is kept: its suffix helps the players that go by name."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if not _SUFFIX.match(suffix):
        suffix = ".mp4" if is_clip else ".jpg"
    return folder / f"{hashlib.sha256(url.encode()).hexdigest()}{suffix}"


async def download_media(
    http: ProviderHttp,
    url: str,
    folder: Path,
    *,
    is_clip: bool,
    max_bytes: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> MediaFile:
    """The picture or clip at ``url``, from ``folder`` if it was downloaded before.

    Raises:
        ProviderFailed: the file could not be downloaded, is too large (in bytes,
            or in what its header claims), or is not a picture or a clip; the
            message says which.
    """
    final = cached_path(folder, url, is_clip)
    if await anyio.Path(final).exists():
        # Pillow and PyAV read files synchronously: a thread keeps the loop free.
        media = await _identified(final, max_pixels, source=f"{http.name} file {final.name}")
        if media is not None:
            return media
    await anyio.Path(final.parent).mkdir(parents=True, exist_ok=True)
    source = f"{http.name}'s file server {urlsplit(url).hostname}"
    # A name of its own: two videos may fetch the same file at once.
    async with atomic_path(final, unique=True) as partial:
        try:
            response = await http.request(
                "GET", url, max_bytes=max_bytes, into=partial, follow_redirects=True
            )
        except TooLarge as exc:
            raise ProviderFailed(
                f"a {http.name} file is larger than the limit of {max_bytes / 1e6:.0f} MB "
                "(AIVIDEO_MEDIA_MAX_BYTES)"
            ) from exc
        if response.status_code != 200:
            raise ProviderFailed(f"{source} answered HTTP {response.status_code}")
        # The body went straight to ``partial``: check it is media, then keep it.
        media = await _identified(partial, max_pixels, source=f"{source} sent a file that")
        if media is None:
            raise ProviderFailed(f"{source} sent a file that is not a picture or a video")
    return replace(media, path=final)


async def _identified(path: Path, max_pixels: int, *, source: str) -> MediaFile | None:
    """``identify_media`` in a thread; a file claiming too much is the provider's failure."""
    try:
        return await asyncio.to_thread(identify_media, path, max_pixels)
    except MediaTooLarge as exc:
        raise ProviderFailed(f"{source} {exc.reason}") from exc
