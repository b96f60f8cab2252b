"""API keys: made from 32 random bytes, stored only as a SHA-256 digest.

A key carries 256 bits of randomness, so a fast digest is enough to make a
stolen table useless; a slow password hash (argon2, bcrypt) would only slow
down every request.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "av_"


def generate_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    """The first characters of a key, enough for a person to tell keys apart."""
    return key[:10]
