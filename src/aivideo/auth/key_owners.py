"""Who owns an API key: from the cache, else from the database.

A key the cache does not know is looked up with the others asked for at the
same moment, in one query (aivideo.core.batches). On a cold start a thousand
clients with one key made a thousand queries at once; now a handful. A batch
starts after its requests arrived, so a key revoked before a request came is
never taken for valid because of a lookup that started earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.auth.key_cache import Caller, KeyCache
from aivideo.auth.keys import hash_api_key
from aivideo.core.batches import Batches
from aivideo.core.errors import NotAuthenticated
from aivideo.db.availability import once_more_if_disconnected
from aivideo.db.models import ApiKey, User

MAX_KEYS = 500  # looked up in one query
CONCURRENCY = 4  # batches at once: a few of the pool's connections, never all


class KeyOwners:
    def __init__(self, sessions: Callable[[], AsyncSession], cache: KeyCache) -> None:
        self.sessions = sessions
        self.cache = cache
        self._batches = Batches(
            self._look_up_together, max_size=MAX_KEYS, name="key-lookups", concurrency=CONCURRENCY
        )

    async def caller(self, key: str) -> Caller:
        """The owner of an active key, or :class:`NotAuthenticated`."""
        key_hash = hash_api_key(key)
        if (caller := self.cache.get(key_hash)) is not None:
            return caller
        revocations_before = self.cache.revocations
        caller = await self._batches.submit(key_hash)
        if caller is None:
            raise NotAuthenticated("the API key is not valid or has been revoked")
        self.cache.put(key_hash, caller, revocations_before)
        return caller

    async def _look_up_together(self, key_hashes: Sequence[str]) -> list[Caller | None]:
        async def look_up() -> dict[str, Caller]:
            async with self.sessions() as session:
                rows = await session.execute(
                    select(ApiKey.key_hash, User.id, User.name)
                    .join(User, ApiKey.user_id == User.id)
                    .where(ApiKey.key_hash.in_(set(key_hashes)), ApiKey.revoked_at.is_(None))
                )
                return {row.key_hash: Caller(row.id, row.name) for row in rows}

        owners = await once_more_if_disconnected(look_up)
        return [owners.get(key_hash) for key_hash in key_hashes]
