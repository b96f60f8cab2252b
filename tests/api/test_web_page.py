"""The web page, driven in a real headless Chromium: text in, video playing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest
from playwright.async_api import Browser, Page, expect

from aivideo.api.app import create_app
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.browser import ARTIFACTS, launched_chromium, require_chromium
from tests.support.fake_llm import FakeLlm, ok
from tests.support.server import serve_on_loopback


@pytest.fixture
def chromium() -> Path:
    return require_chromium()


@pytest.fixture
async def page_url(settings: Settings, resources: Resources) -> AsyncIterator[str]:
    """The page of a server on loopback, where no API key is needed (user "local")."""
    async with serve_on_loopback(create_app(settings, allow_local_user=True)) as base_url:
        yield base_url


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with launched_chromium(chromium) as launched:
        yield launched


async def _open(browser: Browser, url: str, outside: list[str]) -> Page:
    page = await browser.new_page()
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((url, "blob:", "data:")) else None)  # fmt: skip
    await page.goto(url + "/")
    return page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_is_made_and_played_from_the_page(browser: Browser, page_url: str) -> None:
    outside: list[str] = []
    page = await _open(browser, page_url, outside)

    await page.get_by_label("Text to narrate").fill("The page made this. It plays right here.")
    await page.get_by_label("Quality").select_option("low")
    await page.get_by_role("button", name="Make the video").click()

    await expect(page.locator("#current-status")).to_have_text("completed", timeout=90_000)
    duration = await page.locator("#player").evaluate(
        """video => new Promise(resolve => video.readyState >= 1
            ? resolve(video.duration)
            : video.addEventListener("loadedmetadata", () => resolve(video.duration)))"""
    )
    assert duration > 0
    await expect(page.locator("#videos li")).to_have_count(1)
    await expect(page.locator("#videos li .meta")).to_contain_text("completed")
    await anyio.Path(ARTIFACTS).mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / "web-page-completed.png", full_page=True)
    assert outside == [], "the page must make no outside requests"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_api_error_is_shown_next_to_its_field(browser: Browser, page_url: str) -> None:
    page = await _open(browser, page_url, [])

    await page.get_by_label("Text to narrate").fill("   ")
    await page.get_by_role("button", name="Make the video").click()

    error = page.locator("#text-error")
    await expect(error).to_contain_text("text")
    await expect(page.get_by_label("Text to narrate")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#current")).to_be_hidden()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_video_is_written_from_a_prompt_on_the_page(
    browser: Browser, settings: Settings, resources: Resources
) -> None:
    llm = FakeLlm([ok()])
    async with serve_on_loopback(llm.app()) as llm_url:
        with_writer = settings.model_copy(update={"llm_base_url": f"{llm_url}/v1"})
        app = create_app(with_writer, allow_local_user=True)
        async with serve_on_loopback(app) as base_url:
            page = await _open(browser, base_url, outside := [])
            await expect(page.locator("body[data-features=loaded]")).to_have_count(1)
            await page.get_by_label("Written from a prompt").check()
            await expect(page.get_by_label("Text to narrate")).to_be_hidden()
            await page.get_by_label("What the video is about").fill("the water cycle")
            await page.get_by_label("About how long (seconds)").fill("20")
            await page.get_by_label("Quality").select_option("low")
            await page.get_by_role("button", name="Make the video").click()

            await expect(page.locator("#current-status")).to_have_text("completed", timeout=90_000)
            await expect(page.locator("#videos li")).to_contain_text("Where rain comes from")

    assert llm.requests[0]["messages"][-1]["content"] == "the water cycle"
    assert outside == []  # the server talks to the script writer, never the page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_without_a_script_writer_the_page_offers_only_text(
    browser: Browser, page_url: str
) -> None:
    page = await _open(browser, page_url, [])
    # The mode choice is hidden until the server says: wait until it has.
    await expect(page.locator("body[data-features=loaded]")).to_have_count(1)

    await expect(page.get_by_label("Text to narrate")).to_be_visible()
    await expect(page.get_by_label("Written from a prompt")).to_be_hidden()
