"""Creating users and keys, and revoking keys (their owners are found by ``key_owners``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import API_KEYS_CHANNEL
from aivideo.auth.keys import display_prefix, generate_api_key, hash_api_key
from aivideo.core.errors import InvalidInput
from aivideo.db.change_feed import announce
from aivideo.db.models import ApiKey, User
from aivideo.db.types import utcnow

LOCAL_USER_NAME = "local"


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``key`` is the only copy of the secret and is shown once."""

    user_name: str
    key: str
    prefix: str


async def get_or_create_user(session: AsyncSession, name: str) -> User:
    """The user called ``name``, created if missing (safe against a concurrent create)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a user name must have 1 to 100 characters")
    user = await session.scalar(select(User).where(User.name == name))
    if user is not None:
        return user
    try:
        async with session.begin_nested():
            user = User(name=name)
            session.add(user)
    except IntegrityError:
        # Another process created the same user between our select and insert.
        user = await session.scalar(select(User).where(User.name == name))
        assert user is not None
    return user


async def create_api_key(session: AsyncSession, user_name: str) -> IssuedKey:
    user = await get_or_create_user(session, user_name)
    key = generate_api_key()
    session.add(ApiKey(user_id=user.id, key_hash=hash_api_key(key), prefix=display_prefix(key)))
    await session.commit()
    return IssuedKey(user_name=user.name, key=key, prefix=display_prefix(key))


async def revoke_api_keys(session: AsyncSession, prefix: str) -> int:
    """Revoke the active keys starting with ``prefix``; returns how many."""
    keys = (
        await session.scalars(
            select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None))
        )
    ).all()
    for key in keys:
        key.revoked_at = utcnow()
    if keys:
        await announce(session, API_KEYS_CHANNEL, [prefix])  # caches forget, at the commit
    await session.commit()
    return len(keys)
