"""A refusal of the data is not an outage: it must not be answered 503 "cannot be reached"."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aivideo.db.availability import is_database_unavailable


@pytest.mark.parametrize("database_url", ["mariadb"], indirect=True)
async def test_a_failed_check_constraint_on_mariadb_is_not_an_outage(session: AsyncSession) -> None:
    await session.execute(text("CREATE TEMPORARY TABLE positive (x INT CHECK (x > 0))"))
    with pytest.raises(DBAPIError) as refused:
        await session.execute(text("INSERT INTO positive VALUES (-1)"))

    assert "4025" in str(refused.value)  # MariaDB's "CONSTRAINT ... failed"
    assert not is_database_unavailable(refused.value)
