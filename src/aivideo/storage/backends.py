"""Which store ``AIVIDEO_STORAGE_URL`` names: one entry per kind of storage."""

from __future__ import annotations

from collections.abc import Callable

from aivideo.core.config import Settings
from aivideo.storage.file_store import FileStore
from aivideo.storage.objects import ObjectStore
from aivideo.storage.s3_store import S3Store

BACKENDS: dict[str, Callable[[Settings], ObjectStore]] = {
    "file": FileStore.from_settings,
    "s3": S3Store.from_settings,
}


def make_store(settings: Settings) -> ObjectStore:
    """The store of the settings' ``storage_url`` (unset: the data folder's ``videos``)."""
    scheme = (settings.storage_url or "file://").split("://", 1)[0]
    return BACKENDS[scheme](settings)
