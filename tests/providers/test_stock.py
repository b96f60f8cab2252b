"""Stock footage against fake Pexels and Pixabay APIs (and their file servers) on loopback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aivideo.core.config import Settings
from aivideo.core.options import Aspect, Quality
from aivideo.core.script import Scene
from aivideo.core.spec import MediaFile, VideoSpec
from aivideo.pipeline.runner import generate_video
from aivideo.pipeline.workspace import Workspace
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.stock import StockLibrary
from aivideo.runtime.resources import Resources
from tests.support.media_files import make_media_folder
from tests.support.probe import probe_video
from tests.support.server import serve_on_loopback

PEXELS_KEY = "pexels-test-key"
PIXABAY_KEY = "pixabay-test-key"
SEARCHES = ("/pexels/videos/search", "/pexels/v1/search", "/pixabay/api/videos/", "/pixabay/api/")
# Sizes each fake clip comes in: (width, height), a 4K one first.
CLIP_SIZES = ((3840, 2160), (1920, 1080), (960, 540))
PHOTO_SIZES = ("original", "large2x")  # Pexels' names; the original is 6000 x 4000


@dataclass
class Seen:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeStock:
    """Pexels and Pixabay as far as aivideo uses them, with ``/files/...`` as their file server.

    Each query gets its own clips (ids 101..., 201..., in the order queries
    first arrive). Pixabay's odd ids are portrait clips, its even ones landscape.
    """

    clip: bytes
    photo: bytes
    results: int = 10
    nothing_for: set[str] = field(default_factory=set)  # queries nothing matches
    photos_only: set[str] = field(default_factory=set)  # queries only photos match
    not_media: set[str] = field(default_factory=set)  # file name prefixes served as HTML
    failures: dict[str, list[Response]] = field(default_factory=dict)  # "pexels": next replies
    down: dict[str, Response] = field(default_factory=dict)  # "pexels": every reply
    delay: float = 0.0
    base_url: str = ""
    seen: list[Seen] = field(default_factory=list)
    active: int = 0
    most_active: int = 0
    _queries: dict[str, int] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle)])

    def searches(self, api: str = "") -> list[Seen]:
        return [s for s in self.seen if s.path in SEARCHES and s.path.startswith(f"/{api}")]

    def files(self) -> list[str]:
        return [s.path.removeprefix("/files/") for s in self.seen if s.path.startswith("/files/")]

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        self.seen.append(Seen(path, dict(request.query_params), dict(request.headers)))
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await asyncio.sleep(self.delay)
            return self._answer(request, path)
        finally:
            self.active -= 1

    def _answer(self, request: Request, path: str) -> Response:
        if path.startswith("/files/"):
            return self._file(path.removeprefix("/files/"))
        api = path.split("/")[1]
        if self.failures.get(api):
            return self.failures[api].pop(0)
        if api in self.down:
            return self.down[api]
        params = request.query_params
        query = params.get("query") or params.get("q") or ""
        base = f"{str(request.base_url).rstrip('/')}/files"
        answer = {
            "/pexels/videos/search": self._pexels_videos,
            "/pexels/v1/search": self._pexels_photos,
            "/pixabay/api/videos/": self._pixabay_videos,
            "/pixabay/api/": self._pixabay_photos,
        }[path]
        return JSONResponse(answer(query, base))

    def _ids(self, query: str, *, clips: bool) -> list[int]:
        if query in self.nothing_for or (clips and query in self.photos_only):
            return []
        number = self._queries.setdefault(query, len(self._queries) + 1)
        return [number * 100 + index for index in range(1, self.results + 1)]

    def _pexels_videos(self, query: str, base: str) -> dict[str, Any]:
        def files(id: int) -> list[dict[str, Any]]:
            sized = [
                {"link": f"{base}/pexels-{id}-{h}.mp4", "width": w, "height": h,
                 "file_type": "video/mp4", "quality": "hd"}
                for w, h in CLIP_SIZES
            ]  # fmt: skip
            playlist = {"link": f"{base}/pexels-{id}.m3u8", "file_type": "application/x-mpegURL"}
            return [*sized, playlist]

        return {
            "videos": [{"id": id, "video_files": files(id)} for id in self._ids(query, clips=True)]
        }

    def _pexels_photos(self, query: str, base: str) -> dict[str, Any]:
        return {
            "photos": [
                {"id": id, "width": 6000, "height": 4000,
                 "src": {size: f"{base}/pexels-{id}-{size}.jpg" for size in PHOTO_SIZES}}
                for id in self._ids(query, clips=False)
            ]
        }  # fmt: skip

    def _pixabay_videos(self, query: str, base: str) -> dict[str, Any]:
        def sizes(id: int) -> dict[str, Any]:
            shaped = [(h, w) if id % 2 else (w, h) for w, h in CLIP_SIZES]
            named = {
                name: {"url": f"{base}/pixabay-{id}-{w}x{h}.mp4", "width": w, "height": h}
                for name, (w, h) in zip(("large", "medium", "small"), shaped, strict=True)
            }
            return {**named, "tiny": {"url": "", "width": 0, "height": 0}}

        return {"hits": [{"id": id, "videos": sizes(id)} for id in self._ids(query, clips=True)]}

    def _pixabay_photos(self, query: str, base: str) -> dict[str, Any]:
        return {
            "hits": [
                {"id": id, "largeImageURL": f"{base}/pixabay-{id}.jpg",
                 "imageWidth": 6000, "imageHeight": 4000}
                for id in self._ids(query, clips=False)
            ]
        }  # fmt: skip

    def _file(self, name: str) -> Response:
        if any(name.startswith(f"{prefix}-") for prefix in self.not_media):
            return HTMLResponse("<html><body>Please sign in to download</body></html>")
        if name.endswith(".mp4"):
            return Response(self.clip, media_type="video/mp4")
        return Response(self.photo, media_type="image/jpeg")


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[FakeStock]:
    folder = await make_media_folder(tmp_path / "media")
    clip = await anyio.Path(folder / "b-clip.mp4").read_bytes()
    photo = await anyio.Path(folder / "a-photo.jpg").read_bytes()
    stock = FakeStock(clip, photo)
    async with serve_on_loopback(stock.app()) as base_url:
        stock.base_url = base_url
        yield stock


def settings_for(
    fake: FakeStock, data_dir: Path, *, pexels: bool = True, pixabay: bool = False, **more: Any
) -> Settings:
    base_url = fake.base_url
    return Settings(
        data_dir=data_dir,
        pexels_api_key=SecretStr(PEXELS_KEY) if pexels else None,
        pexels_base_url=f"{base_url}/pexels",
        pixabay_api_key=SecretStr(PIXABAY_KEY) if pixabay else None,
        pixabay_base_url=f"{base_url}/pixabay",
        http_retry_attempts=2,
        http_retry_timeout=5.0,
        **more,
    )


@asynccontextmanager
async def stock_library(settings: Settings) -> AsyncIterator[StockLibrary]:
    async with Resources(settings) as resources:
        library = resources.providers.stock
        assert library is not None
        assert resources.providers.stock is library  # made once per process
        yield library


def scenes(*keywords: str) -> list[Scene]:
    return [Scene([f"Scene {index + 1}."], [keyword]) for index, keyword in enumerate(keywords)]


async def listing(folder: Path) -> list[str]:
    return sorted([path.name async for path in anyio.Path(folder).iterdir()])


# --- choosing footage --------------------------------------------------------------------


async def test_each_scene_gets_its_own_clip_and_only_pexels_search_sees_the_key(
    fake: FakeStock, tmp_path: Path
) -> None:
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        media = await library.media_for_scenes(scenes("ocean", "ocean", "ocean"), Aspect.LANDSCAPE)

    assert all(isinstance(item, MediaFile) and item.is_clip for item in media)
    assert len({item.path for item in media if item}) == 3
    assert {item.path.parent for item in media if item} == {tmp_path / "data" / "cache" / "stock"}
    # The full HD file of three different clips, not the 4K one nor the HLS playlist.
    assert sorted(fake.files()) == [
        "pexels-101-1080.mp4",
        "pexels-102-1080.mp4",
        "pexels-103-1080.mp4",
    ]
    [search] = fake.searches()
    assert search.headers["authorization"] == PEXELS_KEY
    assert search.params["query"] == "ocean" and search.params["orientation"] == "landscape"
    file_requests = [s for s in fake.seen if s.path.startswith("/files/")]
    assert all("authorization" not in s.headers for s in file_requests)


async def test_pixabay_gets_its_key_as_a_parameter_and_a_portrait_video_portrait_clips(
    fake: FakeStock, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path / "data", pexels=False, pixabay=True)
    async with stock_library(settings) as library:
        media = await library.media_for_scenes(scenes("city", "city"), Aspect.PORTRAIT)

    assert all(item is not None and item.is_clip for item in media)
    [search] = fake.searches()
    assert search.path == "/pixabay/api/videos/"
    assert search.params["key"] == PIXABAY_KEY and search.params["q"] == "city"
    # Odd ids are the portrait clips; 1080 wide is the size that fills a 1080p frame.
    assert sorted(fake.files()) == ["pixabay-101-1080x1920.mp4", "pixabay-103-1080x1920.mp4"]


async def test_photos_stand_in_when_no_clip_matches(fake: FakeStock, tmp_path: Path) -> None:
    fake.photos_only.add("still life")
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        [media] = await library.media_for_scenes(scenes("still life"), Aspect.SQUARE)

    assert media is not None and not media.is_clip
    assert [s.path for s in fake.searches()] == ["/pexels/videos/search", "/pexels/v1/search"]
    assert fake.searches()[1].params["orientation"] == "square"
    assert fake.files() == ["pexels-101-large2x.jpg"]  # not the 6000 x 4000 original


async def test_a_scene_without_keywords_is_searched_by_its_telling_words(
    fake: FakeStock, tmp_path: Path
) -> None:
    text = "The volcano woke up in the night, and the volcano glowed over the sleepy town."
    fake.nothing_for.add("volcano glowed sleepy")
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        [media] = await library.media_for_scenes([Scene([text])], Aspect.LANDSCAPE)

    assert media is not None and media.is_clip
    # The three most telling words (clips, then photos), then the main one alone.
    assert [(s.path, s.params["query"]) for s in fake.searches()] == [
        ("/pexels/videos/search", "volcano glowed sleepy"),
        ("/pexels/v1/search", "volcano glowed sleepy"),
        ("/pexels/videos/search", "volcano"),
    ]


async def test_a_scene_nothing_matches_shows_another_scenes_footage(
    fake: FakeStock, tmp_path: Path
) -> None:
    fake.nothing_for.add("unfilmable")
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        media = await library.media_for_scenes(scenes("forest", "unfilmable"), Aspect.LANDSCAPE)

    assert media[0] is not None and media[1] == media[0]


async def test_nothing_matching_any_scene_is_a_clear_failure(
    fake: FakeStock, tmp_path: Path
) -> None:
    fake.nothing_for.update({"unfilmable", "unthinkable"})
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        with pytest.raises(ProviderFailed) as failure:
            await library.media_for_scenes(scenes("unfilmable", "unthinkable"), Aspect.LANDSCAPE)

    assert failure.value.message == "Pexels found nothing for 'unfilmable', 'unthinkable'"


# --- caches ------------------------------------------------------------------------------


async def test_the_same_scenes_again_are_neither_searched_nor_downloaded_again(
    fake: FakeStock, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path / "data")
    wanted = scenes("rain", "sun")
    async with stock_library(settings) as library:
        first = await library.media_for_scenes(wanted, Aspect.LANDSCAPE)
        asked = len(fake.seen)
        again = await library.media_for_scenes(wanted, Aspect.LANDSCAPE)
        assert len(fake.seen) == asked == 4  # two searches, two files: nothing more

    # Another process (a fresh in-memory cache) searches again, but finds the files on disk.
    async with stock_library(settings) as library:
        third = await library.media_for_scenes(wanted, Aspect.LANDSCAPE)

    assert first == again == third
    assert len(fake.searches()) == 4 and len(fake.files()) == 2


# --- failures ----------------------------------------------------------------------------


async def test_a_refused_key_says_so_in_pexels_own_words(fake: FakeStock, tmp_path: Path) -> None:
    fake.down["pexels"] = JSONResponse({"error": "Your API key is not valid."}, status_code=401)
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        with pytest.raises(ProviderFailed) as failure:
            await library.media_for_scenes(scenes("rain", "sun", "snow"), Aspect.LANDSCAPE)

    message = failure.value.message
    assert "Pexels refused the API key" in message
    assert "Your API key is not valid." in message and "AIVIDEO_PEXELS_API_KEY" in message
    assert PEXELS_KEY not in message
    assert len(fake.searches()) == 1  # a 401 is not retried, nor asked again for each scene


async def test_a_503_is_retried_and_then_works(fake: FakeStock, tmp_path: Path) -> None:
    fake.failures["pexels"] = [Response("busy", status_code=503)]
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        [media] = await library.media_for_scenes(scenes("rain"), Aspect.LANDSCAPE)

    assert media is not None and media.is_clip
    assert len(fake.searches()) == 2


async def test_pixabay_serves_when_pexels_is_down(fake: FakeStock, tmp_path: Path) -> None:
    fake.down["pexels"] = Response("Internal Server Error", status_code=500)
    settings = settings_for(fake, tmp_path / "data", pixabay=True)
    async with stock_library(settings) as library:
        media = await library.media_for_scenes(scenes("rain", "sun"), Aspect.LANDSCAPE)

    assert all(item is not None and item.is_clip for item in media)
    assert all(name.startswith("pixabay-") for name in fake.files())
    assert len(fake.searches("pexels")) == 2  # one search, retried once; then Pexels is skipped


async def test_a_downloaded_page_that_is_not_media_is_not_used(
    fake: FakeStock, tmp_path: Path
) -> None:
    fake.not_media.add("pexels-101")
    async with stock_library(settings_for(fake, tmp_path / "data")) as library:
        [media] = await library.media_for_scenes(scenes("rain"), Aspect.LANDSCAPE)

    assert media is not None and media.is_clip
    assert fake.files() == ["pexels-101-1080.mp4", "pexels-102-1080.mp4"]
    assert await listing(tmp_path / "data" / "cache" / "stock") == [media.path.name]


async def test_parallel_downloads_stay_within_the_providers_bound(
    fake: FakeStock, tmp_path: Path
) -> None:
    fake.delay = 0.2
    settings = settings_for(fake, tmp_path / "data", provider_concurrency=2)
    async with stock_library(settings) as library:
        media = await library.media_for_scenes(scenes(*["waves"] * 6), Aspect.LANDSCAPE)

    assert len({item.path for item in media if item}) == 6
    assert fake.most_active == 2


# --- whole videos ------------------------------------------------------------------------


async def test_a_video_gets_generated_pictures_when_stock_footage_fails(
    fake: FakeStock, tmp_path: Path
) -> None:
    fake.down["pexels"] = Response("Internal Server Error", status_code=500)
    notes: list[tuple[str, str]] = []
    spec = VideoSpec("Waves roll onto the beach.", quality=Quality.LOW)

    async with Resources(settings_for(fake, tmp_path / "data")) as resources:
        video = await generate_video(
            spec, Workspace(tmp_path / "w"), resources, note=lambda *line: notes.append(line)
        )

    assert (await asyncio.to_thread(probe_video, video.video)).width == 854
    [(kind, message)] = notes
    assert kind == "visuals_fallback"
    assert "Pexels kept failing (HTTP 500" in message and "generated pictures" in message


async def test_a_video_shows_the_downloaded_clip(fake: FakeStock, tmp_path: Path) -> None:
    spec = VideoSpec("Waves roll onto the beach.", quality=Quality.LOW)
    workspace = Workspace(tmp_path / "w")

    async with Resources(settings_for(fake, tmp_path / "data")) as resources:
        video = await generate_video(spec, workspace, resources)

    visuals = await workspace.finished_stage("visuals")
    assert visuals is not None
    [shot] = visuals["shots"]
    assert shot["is_clip"] is True
    # The video's own folder holds the clip (a link to the cached download), so a
    # retry still finds it after the disk cache was swept.
    shown = Path(shot["path"])
    assert shown.parent == tmp_path / "w" and shown.name == "stock-0.mp4"
    [cached] = await asyncio.to_thread(list, (tmp_path / "data" / "cache" / "stock").iterdir())
    assert await asyncio.to_thread(os.path.samefile, shown, cached)
    assert fake.searches()[0].params["query"] == "waves beach roll"
    assert (await asyncio.to_thread(probe_video, video.video)).width == 854
