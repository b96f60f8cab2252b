"""Media by URL, downloaded from a real HTTP server on loopback.

The fake server serves a real JPEG and a real MP4 and the ways a URL goes
wrong: too large, a web page, a web page that claims to be a picture, missing,
failing once, redirecting. The last tests make videos through the real API.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import av
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.core.errors import InvalidInput
from aivideo.core.spec import MediaFile
from aivideo.providers.errors import ProviderUnavailable
from aivideo.providers.media_urls import MediaDownloads, fetch_media
from aivideo.runtime.resources import Resources
from tests.support.media_files import make_media_folder, png_claiming
from tests.support.server import running_api, serve_on_loopback
from tests.support.video_state import wait_for_status

LIMIT = 1_000_000  # media_max_bytes in these tests; the real files are far smaller
PICTURE_COLOUR = (200, 120, 40)  # what tests.support.media_files paints
WEB_PAGE = "<!doctype html><html><body><img src='photo.jpg'></body></html>"


@dataclass(frozen=True)
class Originals:
    photo: bytes
    clip: bytes


class FakeMediaServer:
    """One path per case; counts the requests to each."""

    def __init__(self, originals: Originals) -> None:
        self.originals = originals
        self.base_url = ""  # known once it listens
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []  # the Host header of each counted request
        self.app = Starlette(
            routes=[
                Route("/photo.jpg", self.photo),
                Route("/clip.mp4", self.clip),
                Route("/unlabelled", self.unlabelled),
                Route("/big.jpg", self.big),
                Route("/big-streamed.jpg", self.big_streamed),
                Route("/page.html", self.page),
                Route("/disguised.jpg", self.disguised),
                Route("/missing.jpg", self.missing),
                Route("/flaky.jpg", self.flaky),
                Route("/moved.jpg", self.moved),
                Route("/loop.jpg", self.loop),
                Route("/huge.png", self.huge),
            ]
        )

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _count(self, request: Request) -> None:
        self.hits[request.url.path] += 1
        self.hosts.append(request.headers["host"])

    async def photo(self, request: Request) -> Response:
        self._count(request)
        return Response(self.originals.photo, media_type="image/jpeg")

    async def clip(self, request: Request) -> Response:
        self._count(request)
        return Response(self.originals.clip, media_type="video/mp4")

    async def unlabelled(self, request: Request) -> Response:
        return Response(self.originals.photo, media_type="application/octet-stream")

    async def big(self, request: Request) -> Response:
        return Response(b"\xff" * (LIMIT + 1), media_type="image/jpeg")

    async def big_streamed(self, request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(LIMIT // 100_000 + 1):
                yield b"\xff" * 100_000

        return StreamingResponse(chunks(), media_type="image/jpeg")  # no Content-Length

    async def page(self, request: Request) -> Response:
        return HTMLResponse(WEB_PAGE)

    async def disguised(self, request: Request) -> Response:
        return Response(WEB_PAGE, media_type="image/jpeg")

    async def missing(self, request: Request) -> Response:
        return PlainTextResponse("no such file", status_code=404)

    async def flaky(self, request: Request) -> Response:
        self._count(request)
        if self.hits["/flaky.jpg"] == 1:
            return PlainTextResponse("busy", status_code=503)
        return Response(self.originals.photo, media_type="image/jpeg")

    async def moved(self, request: Request) -> Response:
        return RedirectResponse("/photo.jpg", status_code=302)

    async def loop(self, request: Request) -> Response:
        return RedirectResponse("/loop.jpg", status_code=302)

    async def huge(self, request: Request) -> Response:
        # 20 KB on the wire, 169 megapixels once decoded.
        picture = await asyncio.to_thread(png_claiming, 13000, 13000)
        return Response(picture, media_type="image/png")


@pytest.fixture
async def originals(tmp_path: Path) -> Originals:
    folder = await make_media_folder(tmp_path / "originals")
    return Originals(
        photo=await anyio.Path(folder / "a-photo.jpg").read_bytes(),
        clip=await anyio.Path(folder / "b-clip.mp4").read_bytes(),
    )


@pytest.fixture
async def server(originals: Originals) -> AsyncIterator[FakeMediaServer]:
    fake = FakeMediaServer(originals)
    async with serve_on_loopback(fake.app) as base_url:
        fake.base_url = base_url
        yield fake


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    chosen: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "allow_private_urls": True,  # the fake server is on loopback
        "media_max_bytes": LIMIT,
        "http_retry_attempts": 2,
        "http_retry_timeout": 5,
    }
    return Settings(**{**chosen, **overrides})


@asynccontextmanager
async def opened(tmp_path: Path, **overrides: Any) -> AsyncIterator[MediaDownloads]:
    """What the media_urls source hands to the downloads, from opened resources."""
    settings = _settings(tmp_path, **overrides)
    async with Resources(settings) as resources:
        yield MediaDownloads(
            resources.providers.media_downloads,
            resources,
            max_bytes=settings.media_max_bytes,
            allow_private=settings.allow_private_urls,
        )


async def _names(folder: Path) -> list[str]:
    return sorted([path.name async for path in anyio.Path(folder).iterdir()])


async def test_a_picture_and_a_clip_are_downloaded_and_known_by_their_content(
    tmp_path: Path, server: FakeMediaServer, originals: Originals
) -> None:
    folder = tmp_path / "video"
    urls = [server.url("/photo.jpg"), server.url("/clip.mp4")]

    async with opened(tmp_path) as downloads:
        files = await fetch_media(downloads, urls, folder)

    assert files == [
        MediaFile(folder / "media-0.jpg", is_clip=False),
        MediaFile(folder / "media-1.mp4", is_clip=True, container_format="mov"),
    ]
    assert await anyio.Path(folder / "media-0.jpg").read_bytes() == originals.photo
    assert await anyio.Path(folder / "media-1.mp4").read_bytes() == originals.clip
    assert await _names(folder) == ["media-0.jpg", "media-1.mp4"]  # no temporary file left


async def test_a_host_name_is_resolved_once_and_still_sent_to_the_server(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    # The request goes to the address that was checked, under the name it was asked by.
    by_name = server.url("/photo.jpg").replace("127.0.0.1", "localhost")

    async with opened(tmp_path) as downloads:
        files = await fetch_media(downloads, [by_name], tmp_path)

    assert files == [MediaFile(tmp_path / "media-0.jpg", is_clip=False)]
    assert server.hosts == [by_name.removeprefix("http://").removesuffix("/photo.jpg")]


async def test_a_retried_video_does_not_download_its_files_again(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    folder = tmp_path / "video"
    urls = [server.url("/photo.jpg"), server.url("/clip.mp4")]

    async with opened(tmp_path) as downloads:
        first = await fetch_media(downloads, urls, folder)
        again = await fetch_media(downloads, urls, folder)

    assert again == first
    assert server.hits == {"/photo.jpg": 1, "/clip.mp4": 1}


async def test_a_file_sent_as_octet_stream_is_accepted_for_its_content(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    async with opened(tmp_path) as downloads:
        files = await fetch_media(downloads, [server.url("/unlabelled")], tmp_path)

    assert files == [MediaFile(tmp_path / "media-0.bin", is_clip=False)]


async def test_a_picture_claiming_too_many_pixels_is_refused_naming_its_url(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    folder = tmp_path / "video"

    async with opened(tmp_path) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url("/huge.png")], folder)

    assert refused.value.message == (
        f"media_urls[0] ({server.url('/huge.png')}) is 13000×13000 pixels; at most 40 MP "
        "are accepted: use a smaller version of the picture"
    )
    assert await _names(folder) == []


@pytest.mark.parametrize("path", ["/big.jpg", "/big-streamed.jpg"])
async def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(
    tmp_path: Path, server: FakeMediaServer, path: str
) -> None:
    folder = tmp_path / "video"

    async with opened(tmp_path) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url(path)], folder)

    assert refused.value.message == (
        f"media_urls[0] ({server.url(path)}): the file is larger than the limit of "
        f"{LIMIT:,} bytes; use a smaller picture or a shorter clip"
    )
    assert await _names(folder) == []


async def test_a_web_page_is_refused_by_its_content_type(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    async with opened(tmp_path) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url("/page.html")], tmp_path / "video")

    assert "the server sent text/html, not a picture or a video clip" in refused.value.message
    assert "link to the image or video file itself" in refused.value.message


async def test_a_web_page_labelled_as_a_picture_is_refused_by_its_content(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    folder = tmp_path / "video"

    async with opened(tmp_path) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url("/disguised.jpg")], folder)

    assert refused.value.message.startswith(
        f"media_urls[0] ({server.url('/disguised.jpg')}): not a picture or a video clip "
        "that can be read (it came as image/jpeg)"
    )
    assert await _names(folder) == []


async def test_a_missing_file_names_the_url_and_the_status(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    urls = [server.url("/photo.jpg"), server.url("/missing.jpg")]

    async with opened(tmp_path) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, urls, tmp_path / "video")

    assert refused.value.message == (
        f"media_urls[1] ({server.url('/missing.jpg')}): could not be downloaded: "
        "HTTP 404 Not Found; check that the URL is right and that the file is public"
    )


async def test_a_server_error_is_retried(tmp_path: Path, server: FakeMediaServer) -> None:
    async with opened(tmp_path) as downloads:
        files = await fetch_media(downloads, [server.url("/flaky.jpg")], tmp_path)

    assert files == [MediaFile(tmp_path / "media-0.jpg", is_clip=False)]
    assert server.hits["/flaky.jpg"] == 2


async def test_redirects_are_followed_but_not_forever(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    async with opened(tmp_path) as downloads:
        files = await fetch_media(downloads, [server.url("/moved.jpg")], tmp_path / "moved")
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url("/loop.jpg")], tmp_path / "loop")

    assert files == [MediaFile(tmp_path / "moved" / "media-0.jpg", is_clip=False)]
    assert refused.value.message.endswith("more than 3 redirects; link to the file itself")


async def test_a_loopback_url_is_refused_unless_private_addresses_are_allowed(
    tmp_path: Path, server: FakeMediaServer
) -> None:
    async with opened(tmp_path, allow_private_urls=False) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [server.url("/photo.jpg")], tmp_path / "video")

    assert refused.value.message == (
        f"media_urls[0] ({server.url('/photo.jpg')}): 127.0.0.1 is a loopback address "
        "(127.0.0.1), which this server does not download from; use a URL on the public internet"
    )
    assert server.hits["/photo.jpg"] == 0


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://10.1.2.3/photo.jpg", "a private network address"),
        ("http://[::ffff:127.0.0.1]/photo.jpg", "a loopback address"),
        ("http://[::1]:8080/photo.jpg", "a loopback address"),
        ("http://0.0.0.0/photo.jpg", "a loopback address"),
        ("http://224.0.0.1/photo.jpg", "a multicast address"),
        ("http://localhost/photo.jpg", "a loopback address"),
    ],
)
async def test_local_and_private_addresses_are_never_contacted(
    tmp_path: Path, url: str, kind: str
) -> None:
    async with opened(tmp_path, allow_private_urls=False) as downloads:
        with pytest.raises(InvalidInput) as refused:
            await fetch_media(downloads, [url], tmp_path / "video")

    assert f"is {kind} (" in refused.value.message


async def test_a_server_that_does_not_answer_is_worth_a_later_try(
    tmp_path: Path, originals: Originals
) -> None:
    async with serve_on_loopback(FakeMediaServer(originals).app) as base_url:
        pass  # stopped: nothing listens on its port any more

    async with opened(tmp_path) as downloads:
        with pytest.raises(ProviderUnavailable) as unavailable:
            await fetch_media(downloads, [f"{base_url}/photo.jpg"], tmp_path / "video")

    assert unavailable.value.message == (
        f"media_urls[0] ({base_url}/photo.jpg): the server did not answer after 2 tries "
        "(could not connect); check the URL, or try again later"
    )


# --- through the API ------------------------------------------------------------------


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return _settings(tmp_path, database_url=database_url)


def _colour_in_the_video(path: Path, seconds: float) -> tuple[int, ...]:
    """The colour in the middle of the frame shown at ``seconds``."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                image = frame.to_image()
                colour: tuple[int, ...] = image.getpixel((image.width // 2, image.height // 2))  # type: ignore[assignment]
                return colour
    raise AssertionError(f"{path} has no frame at {seconds} s")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_shows_the_media_its_urls_point_to(
    settings: Settings, resources: Resources, server: FakeMediaServer
) -> None:
    request = {
        "text": "The first scene shows a picture.\n\nThe second scene shows a clip.",
        "quality": "low",
        "media_urls": [server.url("/photo.jpg"), server.url("/clip.mp4")],
    }
    async with running_api(settings, resources) as api:
        created = await api.alice.post("/v1/videos", json=request)
        assert created.status_code == 202, created.text
        video = await wait_for_status(resources, created.json()["id"], "completed", "failed")

    assert video.status == "completed", video.error_message
    folder = anyio.Path(settings.storage_dir / video.id)
    made = Path(folder / "video.mp4")
    # Scene 1 shows the picture, fitted to the frame; scene 2 plays the clip (a test pattern).
    first = await asyncio.to_thread(_colour_in_the_video, made, 0.5)
    last = await asyncio.to_thread(_colour_in_the_video, made, (video.duration_seconds or 0) - 0.8)
    assert all(abs(got - sent) < 20 for got, sent in zip(first, PICTURE_COLOUR, strict=True))
    assert any(abs(got - sent) > 40 for got, sent in zip(last, PICTURE_COLOUR, strict=True))
    # Once the video is made, the downloads it was made from are not kept.
    assert not await (folder / "media-0.jpg").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_whose_url_is_missing_fails_saying_why(
    settings: Settings, resources: Resources, server: FakeMediaServer
) -> None:
    missing = server.url("/missing.jpg")
    request = {"text": "A short video.", "quality": "low", "media_urls": [missing]}
    async with running_api(settings, resources) as api:
        video_id = (await api.alice.post("/v1/videos", json=request)).json()["id"]
        await wait_for_status(resources, video_id, "completed", "failed")
        video = (await api.alice.get(f"/v1/videos/{video_id}")).json()

    assert video["status"] == "failed"
    assert video["error"] == (
        f"media_urls[0] ({missing}): could not be downloaded: HTTP 404 Not Found; "
        "check that the URL is right and that the file is public"
    )
