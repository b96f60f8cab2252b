"""Telling "the database is unreachable" apart from other database errors.

An unreachable or overloaded database is worth a retry (HTTP 503); a failed
constraint or a bad query is a bug or a conflict, and is not. A lock conflict
(a deadlock: see :mod:`aivideo.db.conflicts`) is worth a retry too, but says
nothing about the database being reachable.
"""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import exc as db_errors

from aivideo.db.conflicts import is_retryable_conflict

_UNAVAILABLE = (db_errors.TimeoutError, db_errors.OperationalError, db_errors.InterfaceError)
# MariaDB reports some refusals of the data itself as an OperationalError too:
# a failed CHECK constraint (4025) and JSON it cannot read (3140, 4038).
_MARIADB_BAD_DATA = frozenset({3140, 4025, 4038})


T = TypeVar("T")


async def once_more_if_disconnected(read: Callable[[], Awaitable[T]]) -> T:
    """``read()``, tried again once if its connection turned out dead (the pool drops it)."""
    try:
        return await read()
    except db_errors.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return await read()


def is_database_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database could not be reached or had no free connection."""
    if is_retryable_conflict(error):
        return False  # MariaDB reports its deadlocks as an OperationalError
    if _mariadb_code(error) in _MARIADB_BAD_DATA:
        return False
    if isinstance(error, _UNAVAILABLE):
        return True
    if isinstance(error, ConnectionError):
        # Drivers let a network error through unwrapped while a connection is
        # being opened; it is the database's only if SQLAlchemy was opening it.
        return _raised_inside_sqlalchemy(error)
    if isinstance(error, db_errors.DBAPIError) and error.connection_invalidated:
        return True
    # A connection that fails while being opened is reported by some drivers
    # (asyncpg) as a plain DBAPIError: look for the network error underneath.
    cause = error.__cause__ or error.__context__
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, OSError) or type(cause).__name__ == "ConnectionDoesNotExistError":
            return True
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return False


def is_transient_database_error(error: BaseException) -> bool:
    """True when the same database work, tried again a little later, may well succeed."""
    return is_database_unavailable(error) or is_retryable_conflict(error)


def _mariadb_code(error: BaseException) -> int | None:
    """The server's error number of a MariaDB error (pymysql's first argument), if any."""
    original = getattr(error, "orig", None)
    args = getattr(original, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _raised_inside_sqlalchemy(error: BaseException) -> bool:
    return any(
        frame.f_globals.get("__name__", "").startswith("sqlalchemy.")
        for frame, _ in traceback.walk_tb(error.__traceback__)
    )
