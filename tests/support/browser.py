"""A real headless Chromium for the page tests, kept on this machine's loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.support.backends import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
# Without the background-networking flags Chromium keeps calling home, which
# this machine's closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def require_chromium() -> Path:
    """Debian's Chromium; the test is skipped without it (failed in CI)."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"{CHROMIUM} is missing: `bash .ci/browser` installs Debian's chromium"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def launched_chromium(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def opened_page(browser: Browser, url: str, outside: list[str]) -> AsyncIterator[Page]:
    """The page at ``url``, closed on the way out; requests elsewhere go into ``outside``.

    Closed before its server stops: an open progress stream would keep the server waiting.
    """
    page = await browser.new_page()
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((url, "blob:", "data:")) else None)  # fmt: skip
    try:
        await page.goto(url + "/")
        yield page
    finally:
        await page.close()
