"""Where the files of finished videos are kept: a folder, or an S3-compatible bucket.

Workers make a video in a scratch folder on their own disk, then put every
file a user downloads into the store (:class:`ObjectStore`) before the video
is recorded as completed; the API serves downloads from the store. The
backend is chosen by ``AIVIDEO_STORAGE_URL`` (:func:`make_store`).
"""

from aivideo.storage.backends import make_store
from aivideo.storage.objects import ObjectStore, StoredObject, Upload

__all__ = ["ObjectStore", "StoredObject", "Upload", "make_store"]
