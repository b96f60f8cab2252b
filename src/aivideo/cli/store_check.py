"""The store checked before ``serve`` starts: a wrong bucket or refused key stops it in one line."""

from __future__ import annotations

from aivideo.core.config import Settings
from aivideo.storage import make_store


async def check_store(settings: Settings) -> None:
    """Open the configured store as the server will, checking it answers this configuration.

    A store that does not answer at all is not an error here: the server starts and
    its videos wait for it, as they wait for a broker that is down.

    Raises:
        StorageRefused: the credentials are refused or the bucket does not exist.
    """
    store = make_store(settings)
    try:
        await store.open(verify=True)
    finally:
        await store.close()
