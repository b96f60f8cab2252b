"""An S3 failure in a sentence that says what to fix: the bucket, the credentials, the network."""

from __future__ import annotations

import re

from obstore.exceptions import PermissionDeniedError, UnauthenticatedError

from aivideo.core.errors import StorageRefused, StorageUnavailable

# S3's error codes for credentials it does not accept.
REFUSED_CODES = frozenset({
    "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
    "InvalidToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed",
})  # fmt: skip
CREDENTIALS = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN, if any)"

_CODE = re.compile(r"<Code>(\w+)</Code>")


def s3_failure(error: Exception, bucket: str, where: str) -> StorageUnavailable:
    """The error to raise for ``error`` of the store ``where``, saying what to fix."""
    text = str(error)
    found = _CODE.search(text)
    code = found.group(1) if found else None
    if code == "NoSuchBucket":
        return StorageRefused(
            f"the bucket {bucket!r} does not exist in {where}: create it, or name another "
            "in AIVIDEO_STORAGE_URL"
        )
    if code in REFUSED_CODES or isinstance(error, PermissionDeniedError | UnauthenticatedError):
        return StorageRefused(
            f"{where} refused the credentials ({code or 'access denied'}): check {CREDENTIALS}"
        )
    return StorageUnavailable(f"{where} did not answer: {_first_words(text)}")


def _first_words(text: str) -> str:
    """obstore's message without its debug dump: "... - HTTP error: error sending request"."""
    first = text.split("\n", 1)[0].strip()
    return first.rsplit(" - ", 1)[-1] if " - " in first else first
