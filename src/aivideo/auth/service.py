"""Creating users and keys, and finding the user behind a key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import API_KEYS_CHANNEL, Caller, KeyCache
from aivideo.auth.keys import display_prefix, generate_api_key, hash_api_key
from aivideo.core.errors import InvalidInput, NotAuthenticated
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


async def authenticate(sessions: Callable[[], AsyncSession], key: str, cache: KeyCache) -> Caller:
    """The owner of an active key, or :class:`NotAuthenticated`.

    A database session is opened only when the cache does not know the key.
    """
    key_hash = hash_api_key(key)
    if (caller := cache.get(key_hash)) is not None:
        return caller
    revocations_before = cache.revocations
    async with sessions() as session:
        found = (
            await session.execute(
                select(User.id, User.name)
                .join(ApiKey)
                .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
            )
        ).first()
    if found is None:
        raise NotAuthenticated("the API key is not valid or has been revoked")
    caller = Caller(found.id, found.name)
    cache.put(key_hash, caller, revocations_before)
    return caller
