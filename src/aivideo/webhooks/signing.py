"""HMAC-SHA256 signatures of webhook deliveries, and their verification.

The signed message is ``<timestamp>.<body>``: binding the timestamp stops an
old delivery from being replayed later with a fresh timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Aivideo-Signature"
TIMESTAMP_HEADER = "X-Aivideo-Timestamp"
DELIVERY_HEADER = "X-Aivideo-Delivery"
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between signing and receiving


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, delivery_id: str) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: delivery_id,
    }


def verify(
    secret: str, body: bytes, timestamp: str, received: str, *,
    tolerance: int = DEFAULT_TOLERANCE, now: float | None = None,
) -> bool:  # fmt: skip
    """What a receiver does: is the signature right and the timestamp recent?"""
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), received)
