"""Searching one stock library: what a search finds, how it is cached, what a refusal means.

Each library (Pexels, Pixabay) says how to ask and how to read its answer;
this module holds what they share. A search finds candidates — clips, or
photos when no clip matches — each offered in one or more sizes. Results are
cached by library, query and orientation, so the same scenes never cost a
second search while the cache keeps them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr, TypeAdapter, ValidationError

from aivideo.cache.store import Cache
from aivideo.core.options import Aspect
from aivideo.providers.errors import ProviderFailed
from aivideo.providers.http_calls import ProviderHttp, provider_message
from aivideo.providers.refusals import Refusal, RefusalWording, common_sentences

RESULTS_PER_SEARCH = 10  # enough for every scene of a video to get its own clip
# Bump when Candidate changes shape: older cache entries then miss instead of failing.
_CACHE_VERSION = "1"

Reply = TypeVar("Reply", bound=BaseModel)


class StockFile(BaseModel):
    """One size of a clip or photo; 0 is an unknown width or height."""

    model_config = ConfigDict(frozen=True)

    url: str
    width: int = 0
    height: int = 0

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    @classmethod
    def scaled(cls, url: str, width: int, height: int, box: tuple[int, int]) -> StockFile:
        """A size the library makes by shrinking a ``width`` x ``height`` original into ``box``."""
        if not (width and height):
            return cls(url=url)
        scale = min(box[0] / width, box[1] / height, 1.0)
        return cls(url=url, width=round(width * scale), height=round(height * scale))


class Candidate(BaseModel):
    """A clip or photo a search found, in the sizes its library offers."""

    model_config = ConfigDict(frozen=True)

    provider: str
    id: str
    is_clip: bool
    files: list[StockFile]

    @property
    def key(self) -> tuple[str, str]:
        """What makes two candidates the same footage."""
        return self.provider, self.id

    def file_for(self, short_side: int) -> StockFile:
        """The smallest size that fills a frame with this short side, else the largest.

        The smallest that fills it, not the largest there is: a 4K file is
        several times the download of a 1080p one and looks no better once
        scaled down to the frame.
        """
        filling = [file for file in self.files if file.short_side >= short_side]
        if filling:
            return min(filling, key=lambda file: file.short_side)
        return max(self.files, key=lambda file: file.short_side)


_CANDIDATES = TypeAdapter(list[Candidate])


class StockSearch(ABC):
    """One stock library's search, cached; subclasses say how to ask it."""

    name: str  # the library's name, as a person knows it: "Pexels"
    key_setting: str  # the environment variable that holds its key
    orientations: dict[Aspect, str]  # the library's word for each shape of frame

    def __init__(
        self, http: ProviderHttp, api_key: SecretStr, cache: Cache, cache_ttl: float
    ) -> None:
        self.http = http
        self.api_key = api_key
        self.cache = cache
        self.cache_ttl = cache_ttl

    async def search(self, query: str, aspect: Aspect) -> list[Candidate]:
        """Clips (or photos, when no clip matches) for ``query``, best first.

        Raises:
            ProviderFailed: the library refused the search; the message says why.
            ProviderUnavailable: the library did not answer, or kept failing.
        """
        orientation = self.orientation(aspect)
        query = " ".join(query.lower().split())
        key = f"stock:{_CACHE_VERSION}:{self.name.lower()}:{orientation}:{query}"
        cached = await self.cache.get(key)
        if cached is not None:
            try:
                return _CANDIDATES.validate_python(cached)
            except ValidationError:
                pass  # not a list of candidates: search again, and overwrite it
        found = await self.find(query, orientation)
        await self.cache.set(key, _CANDIDATES.dump_python(found), self.cache_ttl)
        return found

    def orientation(self, aspect: Aspect) -> str:
        return self.orientations[aspect]

    @abstractmethod
    async def find(self, query: str, orientation: str) -> list[Candidate]:
        """Ask the library (no cache): clips, else photos, best first."""

    async def get(self, path: str, reply: type[Reply], **kwargs: Any) -> Reply:
        """The library's answer to ``GET path``, read as ``reply``; ProviderFailed otherwise."""
        response = await self.http.request("GET", path, **kwargs)
        if response.status_code != 200:
            raise self.refusal(response.status_code, provider_message(response))
        try:
            return reply.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProviderFailed(
                f"{self.name} answered the search with something that is not a search "
                f"result (HTTP 200, {response.headers.get('Content-Type', 'no content type')}); "
                f"check the {self.name} base URL setting"
            ) from exc

    def refusal(self, status: int, said: str) -> ProviderFailed:
        """What an error reply means, in a sentence that says what to do."""
        wording = RefusalWording(
            other=lambda said: f"{self.name} refused the search ({said})",
            sentences={
                **common_sentences(self.name),
                Refusal.KEY_REFUSED: lambda said: (
                    f"{self.name} refused the API key ({said}); check {self.key_setting}"
                ),
                # A video without stock footage gets generated pictures, not a retry.
                Refusal.RATE_LIMITED: lambda said: (
                    f"{self.name}'s request limit was reached ({said}); stock footage works "
                    "again once the limit resets"
                ),
            },
        )
        return wording.error(status, said)
