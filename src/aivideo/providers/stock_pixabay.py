"""Pixabay (https://pixabay.com/api/docs/): stock clips and photos.

Pixabay takes its key as the ``key`` query parameter, so a search URL holds
the key and must never be logged (the HTTP client's hook logs only the host).
Its file URLs hold no key. Its video search cannot ask for an orientation:
clips of the frame's shape are put first instead.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from aivideo.core.options import Aspect
from aivideo.providers.stock_search import RESULTS_PER_SEARCH, Candidate, StockFile, StockSearch

_NAME = "Pixabay"
_ORIENTATIONS = {Aspect.LANDSCAPE: "horizontal", Aspect.PORTRAIT: "vertical", Aspect.SQUARE: "all"}
_MAX_QUERY_LENGTH = 100  # Pixabay refuses longer ones
_LARGE_IMAGE_BOX = (1280, 1280)  # ``largeImageURL`` is the photo scaled to fit this box


class _VideoSize(BaseModel):
    url: str = ""
    width: int = 0
    height: int = 0


class _VideoHit(BaseModel):
    id: int
    videos: dict[str, _VideoSize] = {}


class _VideoHits(BaseModel):
    hits: list[_VideoHit] = []


class _PhotoHit(BaseModel):
    id: int
    large_image_url: str = Field("", alias="largeImageURL")
    width: int = Field(0, alias="imageWidth")
    height: int = Field(0, alias="imageHeight")


class _PhotoHits(BaseModel):
    hits: list[_PhotoHit] = []


class PixabaySearch(StockSearch):
    name = _NAME
    key_setting = "AIVIDEO_PIXABAY_API_KEY"
    orientations = _ORIENTATIONS

    async def find(self, query: str, orientation: str) -> list[Candidate]:
        params = {
            "key": self.api_key.get_secret_value(),
            "q": query[:_MAX_QUERY_LENGTH],
            "per_page": RESULTS_PER_SEARCH,
            "safesearch": "true",
        }
        videos = await self.get("/api/videos/", _VideoHits, params=params)
        clips = [clip for hit in videos.hits if (clip := _clip(hit))]
        if clips:
            return sorted(clips, key=lambda clip: not _has_shape(clip, orientation))
        photos = await self.get(
            "/api/",
            _PhotoHits,
            params={**params, "image_type": "photo", "orientation": orientation},
        )
        return [photo for hit in photos.hits if (photo := _photo(hit))]


def _has_shape(clip: Candidate, orientation: str) -> bool:
    largest = max(clip.files, key=lambda file: file.short_side)
    if orientation == "horizontal":
        return largest.width > largest.height
    if orientation == "vertical":
        return largest.height > largest.width
    return True


def _clip(hit: _VideoHit) -> Candidate | None:
    files = [
        StockFile(url=size.url, width=size.width, height=size.height)
        for size in hit.videos.values()
        if size.url  # a size Pixabay does not have comes with an empty URL
    ]
    if not files:
        return None
    return Candidate(provider=_NAME, id=f"video-{hit.id}", is_clip=True, files=files)


def _photo(hit: _PhotoHit) -> Candidate | None:
    if not hit.large_image_url:
        return None
    file = StockFile.scaled(hit.large_image_url, hit.width, hit.height, _LARGE_IMAGE_BOX)
    return Candidate(provider=_NAME, id=f"photo-{hit.id}", is_clip=False, files=[file])
