"""The web page with videos kept in an S3 bucket: the player and links use presigned URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from aivideo.api.app import create_app
from aivideo.auth.service import create_api_key
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.browser import launched_chromium, opened_page, require_chromium
from tests.support.object_store import S3, s3_settings
from tests.support.server import serve_on_loopback

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def chromium() -> Path:
    return require_chromium()


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with launched_chromium(chromium) as launched:
        yield launched


async def _play(browser: Browser, base_url: str, key: str | None) -> tuple[float, str, list[str]]:
    """Make a video on the page; its duration as played, the download link, requests elsewhere."""
    outside: list[str] = []
    async with opened_page(browser, base_url, outside) as page:
        if key:
            await page.evaluate("key => localStorage.setItem('aivideo-key', key)", key)
            await page.reload()
        await page.get_by_label("Text to narrate").fill("Kept in a bucket. Played from it.")
        await page.get_by_label("Quality").select_option("low")
        await page.get_by_role("button", name="Make the video").click()
        await expect(page.locator("#current-status")).to_have_text("completed", timeout=90_000)
        duration = await page.locator("#player").evaluate(
            """video => new Promise(resolve => video.readyState >= 1
                ? resolve(video.duration)
                : video.addEventListener("loadedmetadata", () => resolve(video.duration)))"""
        )
        link = await page.locator("#download-video").get_attribute("href")
    return duration, link or "", outside


async def test_the_page_plays_a_video_from_the_bucket_with_and_without_a_key(
    browser: Browser, settings: Settings, resources: Resources, s3_bucket: str, tmp_path: Path
) -> None:
    settings = s3_settings(settings, s3_bucket)
    async with resources.sessions() as session:
        key = (await create_api_key(session, "alice")).key
    app = create_app(settings, allow_local_user=True)
    async with serve_on_loopback(app) as base_url:
        # Without a key the browser follows the API's redirect; with one it asks for the link.
        local = await _play(browser, base_url, None)
        keyed = await _play(browser, base_url, key)

    for duration, _link, outside in (local, keyed):
        assert duration > 0
        assert outside and all(url.startswith(f"{S3.url}/{s3_bucket}/") for url in outside)
    assert local[1].startswith("/v1/videos/")  # the API's route, which redirects
    assert keyed[1].startswith(f"{S3.url}/{s3_bucket}/videos/")  # the presigned URL itself
