"""Which providers this process uses, made once from the settings.

Each provider is made on first use and kept, so its bound on concurrent
requests holds for the whole process. A provider that is not configured is
None: the offline default (the user's text, the bundled voice, generated
pictures) does the work instead.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from aivideo.cache.disk_sweep import disk_cache_folder
from aivideo.cache.store import Cache
from aivideo.core.config import Settings
from aivideo.providers.http_calls import ProviderHttp, RetryPolicy
from aivideo.providers.remote_speech import RemoteVoice
from aivideo.providers.script_writer import ScriptWriter
from aivideo.providers.stock import StockLibrary
from aivideo.providers.stock_pexels import PexelsSearch
from aivideo.providers.stock_pixabay import PixabaySearch
from aivideo.providers.stock_search import StockSearch


class Providers:
    def __init__(self, settings: Settings, http: httpx.AsyncClient, cache: Cache) -> None:
        self.settings = settings
        self.http = http
        self.cache = cache

    def connect(self, name: str, base_url: str = "", **headers: str) -> ProviderHttp:
        """Requests to one provider through the shared client, bounded and retried."""
        return ProviderHttp(
            self.http,
            name,
            base_url=base_url,
            headers=headers,
            concurrency=self.settings.provider_concurrency,
            policy=RetryPolicy.from_settings(self.settings),
        )

    @cached_property
    def script_writer(self) -> ScriptWriter | None:
        """The LLM that writes scripts from prompts (``AIVIDEO_LLM_BASE_URL``)."""
        settings = self.settings
        if not settings.llm_base_url:
            return None
        http = self.connect(f"the script writer at {_host(settings.llm_base_url)}",
                            settings.llm_base_url, **_bearer(settings.llm_api_key))  # fmt: skip
        return ScriptWriter(http, settings.llm_model, self.cache, settings.cache_provider_ttl)

    @cached_property
    def stock(self) -> StockLibrary | None:
        """The stock footage library (Pexels, then Pixabay), when a key is configured."""
        settings = self.settings
        ttl = settings.cache_provider_ttl
        searches: list[StockSearch] = []
        if settings.pexels_api_key:
            pexels = self.connect("Pexels", settings.pexels_base_url)
            searches.append(PexelsSearch(pexels, settings.pexels_api_key, self.cache, ttl))
        if settings.pixabay_api_key:
            pixabay = self.connect("Pixabay", settings.pixabay_base_url)
            searches.append(PixabaySearch(pixabay, settings.pixabay_api_key, self.cache, ttl))
        if not searches:
            return None
        folder = disk_cache_folder(settings.data_dir) / "stock"
        return StockLibrary(searches, folder, settings.media_max_bytes, settings.media_max_pixels)

    @cached_property
    def media_downloads(self) -> ProviderHttp:
        """Downloads of the pictures and clips ``media_urls`` point to: one bound for all videos."""
        return self.connect("media_urls")

    @cached_property
    def remote_voice(self) -> RemoteVoice | None:
        """The remote speech service (``AIVIDEO_SPEECH_BASE_URL``); None: Piper speaks."""
        settings = self.settings
        if not settings.speech_base_url:
            return None
        key = settings.speech_api_key
        http = self.connect(f"the speech service at {_host(settings.speech_base_url)}",
                            settings.speech_base_url, **_bearer(key))  # fmt: skip
        return RemoteVoice(http, settings.speech_model, has_key=key is not None)


def _bearer(key: SecretStr | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
