"""The page's language field, in a real headless Chromium: beside the voice, checked by the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from aivideo.api.app import create_app
from aivideo.core.config import Settings
from aivideo.runtime.resources import Resources
from tests.support.browser import launched_chromium, opened_page, require_chromium
from tests.support.server import serve_on_loopback
from tests.support.voice_files import add_voice, copy_bundled_model

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

SPANISH = "es_ES-prueba-medium"


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_bundled_model(tmp_path_factory.mktemp("model"))


@pytest.fixture
async def page_url(
    settings: Settings, resources: Resources, tmp_path: Path, bundled_copy: Path
) -> AsyncIterator[str]:
    """The page of a server with a Spanish voice in its folder; videos stay queued."""
    folder = tmp_path / "voices"
    await add_voice(folder, bundled_copy, SPANISH)
    configured = settings.model_copy(update={"voices_dir": folder, "render_slots": 0})
    async with serve_on_loopback(create_app(configured, allow_local_user=True)) as base_url:
        yield base_url


@pytest.fixture
def chromium() -> Path:
    return require_chromium()


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with launched_chromium(chromium) as launched:
        yield launched


async def test_a_video_in_the_language_of_a_voice_is_made_from_the_page(
    browser: Browser, page_url: str
) -> None:
    outside: list[str] = []
    async with opened_page(browser, page_url, outside) as page:
        voice = page.get_by_label("Voice")
        await expect(voice.locator("option", has_text=f"{SPANISH} (es-ES)")).to_have_count(1)
        await expect(page.locator("#languages option[value='es-ES']")).to_have_count(1)
        await page.get_by_label("Text to narrate").fill("Hola. El agua corre al mar.")
        await voice.select_option(SPANISH)
        await page.get_by_label("Language").fill("es")
        await page.get_by_role("button", name="Make the video").click()
        await expect(page.locator("#current")).to_be_visible()
        video_id = await page.locator("#current").get_attribute("data-video-id")

    async with httpx.AsyncClient(base_url=page_url) as local:
        shown = (await local.get(f"/v1/videos/{video_id}")).json()
    assert (shown["voice"], shown["language"]) == (SPANISH, "es")
    assert outside == []


async def test_a_language_the_voice_does_not_speak_is_shown_next_to_the_voice(
    browser: Browser, page_url: str
) -> None:
    async with opened_page(browser, page_url, []) as page:
        await page.get_by_label("Text to narrate").fill("Hallo.")
        await page.get_by_label("Language").fill("de")
        await page.get_by_role("button", name="Make the video").click()
        await expect(page.locator("#voice-error")).to_contain_text(
            "'joe' speaks en-US, and the video's language is de"
        )
        await expect(page.get_by_label("Voice")).to_have_attribute("aria-invalid", "true")

        await page.get_by_label("Language").fill("de_DE")
        await page.get_by_role("button", name="Make the video").click()
        await expect(page.locator("#language-error")).to_contain_text("BCP-47")
        await expect(page.get_by_label("Language")).to_have_attribute("aria-invalid", "true")
        await expect(page.locator("#current")).to_be_hidden()
