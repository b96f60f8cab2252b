"""Pexels (https://www.pexels.com/api/): stock clips and photos.

The key goes in the ``Authorization`` header of each search, not of the
connection: the files themselves come from Pexels' file servers, which need
no key and so never see it.
"""

from __future__ import annotations

from pydantic import BaseModel

from aivideo.core.options import Aspect
from aivideo.providers.stock_search import RESULTS_PER_SEARCH, Candidate, StockFile, StockSearch

_NAME = "Pexels"
_ORIENTATIONS = {
    Aspect.LANDSCAPE: "landscape",
    Aspect.PORTRAIT: "portrait",
    Aspect.SQUARE: "square",
}
# ``src.large2x`` is the photo scaled to fit this box; ``src.original`` is the full size.
_LARGE2X_BOX = (1880, 1300)


class _VideoFile(BaseModel):
    link: str
    width: int | None = None
    height: int | None = None
    file_type: str | None = None


class _Video(BaseModel):
    id: int
    video_files: list[_VideoFile] = []


class _Videos(BaseModel):
    videos: list[_Video] = []


class _Photo(BaseModel):
    id: int
    width: int = 0
    height: int = 0
    src: dict[str, str | None] = {}


class _Photos(BaseModel):
    photos: list[_Photo] = []


class PexelsSearch(StockSearch):
    name = _NAME
    key_setting = "AIVIDEO_PEXELS_API_KEY"
    orientations = _ORIENTATIONS

    async def find(self, query: str, orientation: str) -> list[Candidate]:
        params = {"query": query, "orientation": orientation, "per_page": RESULTS_PER_SEARCH}
        headers = {"Authorization": self.api_key.get_secret_value()}
        videos = await self.get("/videos/search", _Videos, params=params, headers=headers)
        clips = [clip for video in videos.videos if (clip := _clip(video))]
        if clips:
            return clips
        photos = await self.get("/v1/search", _Photos, params=params, headers=headers)
        return [photo for found in photos.photos if (photo := _photo(found))]


def _clip(video: _Video) -> Candidate | None:
    files = [
        StockFile(url=file.link, width=file.width or 0, height=file.height or 0)
        for file in video.video_files
        if file.link and file.file_type in (None, "video/mp4")  # not the HLS playlists
    ]
    if not files:
        return None
    return Candidate(provider=_NAME, id=f"video-{video.id}", is_clip=True, files=files)


def _photo(photo: _Photo) -> Candidate | None:
    files = []
    if large := photo.src.get("large2x"):
        files.append(StockFile.scaled(large, photo.width, photo.height, _LARGE2X_BOX))
    if original := photo.src.get("original"):
        files.append(StockFile(url=original, width=photo.width, height=photo.height))
    if not files:
        return None
    return Candidate(provider=_NAME, id=f"photo-{photo.id}", is_clip=False, files=files)
