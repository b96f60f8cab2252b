"""The storyboard on the web page, in a real headless Chromium: scene cards, then the video."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from playwright.async_api import Browser, Page, expect

from aivideo.api.app import create_app
from aivideo.core import outputs
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.browser import ARTIFACTS, launched_chromium, opened_page, require_chromium
from tests.support.server import api_client, serve_on_loopback
from tests.support.storyboard_files import TWEMOJI, preview_jpeg, write_storyboard

ALL_PICTURES_SHOWN = """() => {
    const pictures = [...document.querySelectorAll("#scenes img")];
    return pictures.length > 0 && pictures.every((img) => img.complete && img.naturalWidth > 0);
}"""


@pytest.fixture
def chromium() -> Path:
    return require_chromium()


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with launched_chromium(chromium) as launched:
        yield launched


async def _make_video(page: Page, text: str) -> str:
    await page.get_by_label("Text to narrate").fill(text)
    await page.get_by_label("Quality").select_option("low")
    await page.get_by_role("button", name="Make the video").click()
    await expect(page.locator("#current[data-video-id]")).to_have_count(1)
    video_id = await page.locator("#current").get_attribute("data-video-id")
    assert video_id
    return video_id


async def _expect_scene_cards(page: Page) -> None:
    cards = page.locator("#scenes > li")
    await expect(cards).to_have_count(2)
    first = cards.nth(0)
    await expect(first.get_by_role("heading", level=4)).to_have_text("0:00 Water")
    await expect(first).to_contain_text("Water moves in a never-ending cycle.")
    droplet = first.get_by_role("img", name="droplet", exact=True)
    await expect(droplet).to_have_text("💧")
    await expect(droplet).to_have_attribute("title", "droplet")
    await expect(first.locator("img")).to_have_attribute(
        "alt", "Scene 1: pictograms of droplet, cycle"
    )
    # A scene without a headline is named by its number.
    await expect(cards.nth(1).get_by_role("heading", level=4)).to_have_text("0:04 Scene 2")
    await expect(page.locator("#scene-credits")).to_have_text(TWEMOJI)
    await page.wait_for_function(ALL_PICTURES_SHOWN)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_storyboard_shows_as_soon_as_the_server_has_it(
    browser: Browser, settings: Settings, resources: Resources
) -> None:
    # No render slots: the video stays queued, so the page sees it before it is made.
    queued_only = settings.model_copy(update={"render_slots": 0})
    app = create_app(queued_only, allow_local_user=True)
    outside: list[str] = []
    async with serve_on_loopback(app) as base_url, opened_page(browser, base_url, outside) as page:
        video_id = await _make_video(page, "Water moves in a never-ending cycle.")
        await expect(page.locator("#current-status")).to_contain_text("queued")
        await expect(page.locator("#storyboard")).to_be_hidden()

        folder = outputs.video_folder(settings.storage_dir, video_id)
        await asyncio.to_thread(write_storyboard, folder, await asyncio.to_thread(preview_jpeg))

        await expect(page.locator("#storyboard")).to_be_visible()
        await expect(page.get_by_role("heading", name="Storyboard")).to_be_visible()
        await _expect_scene_cards(page)
        await expect(page.locator("#result")).to_be_hidden()
    assert outside == [], "the page must make no outside requests"


async def _expect_cards_of(page: Page, storyboard: dict[str, Any]) -> None:
    """The page's scene cards show what the API's storyboard says, picture by picture."""
    cards = page.locator("#scenes > li")
    await expect(cards).to_have_count(len(storyboard["scenes"]))
    for card, scene in zip(await cards.all(), storyboard["scenes"], strict=True):
        title = scene["headline"] or f"Scene {scene['index'] + 1}"
        start = int(scene["start"])
        heading = f"{start // 60}:{start % 60:02d} {title}"
        await expect(card.get_by_role("heading", level=4)).to_have_text(heading)
        await expect(card).to_contain_text(scene["narration"])
        for pictogram in scene["pictograms"]:
            shown = card.get_by_role("img", name=pictogram["name"], exact=True)
            await expect(shown).to_have_text(pictogram["emoji"])
            await expect(shown).to_have_attribute("title", pictogram["name"])
    await page.wait_for_function(ALL_PICTURES_SHOWN)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_made_video_shows_its_own_storyboard_and_its_thumbnail_as_poster(
    browser: Browser, settings: Settings, resources: Resources
) -> None:
    app = create_app(settings, allow_local_user=True)
    outside: list[str] = []
    async with serve_on_loopback(app) as base_url, opened_page(browser, base_url, outside) as page:
        text = "Water moves in a never-ending cycle. The sun warms the sea, and clouds form."
        video_id = await _make_video(page, text)
        await expect(page.locator("#current-status")).to_have_text("completed", timeout=90_000)

        thumbnail = f"/v1/videos/{video_id}/thumbnail.jpg"
        player = page.locator("#player")
        await expect(player).to_have_attribute("poster", thumbnail)
        poster_type = await player.evaluate(
            "video => fetch(video.poster).then((r) => r.headers.get('content-type'))"
        )
        assert poster_type == "image/jpeg"
        async with api_client(base_url) as client:  # the local user, as the page is
            storyboard = (await client.get(f"/v1/videos/{video_id}/scenes")).json()
        assert any(scene["pictograms"] for scene in storyboard["scenes"])
        await _expect_cards_of(page, storyboard)

        await anyio.Path(ARTIFACTS).mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS / "storyboard-page.png", full_page=True)
    assert outside == [], "the page must make no outside requests"
