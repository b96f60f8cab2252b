"""Telling "the database is unreachable" apart from other database errors.

An unreachable or overloaded database is worth a retry (HTTP 503); a failed
constraint or a bad query is a bug or a conflict, and is not.
"""

from __future__ import annotations

import traceback

from sqlalchemy import exc as db_errors

_UNAVAILABLE = (db_errors.TimeoutError, db_errors.OperationalError, db_errors.InterfaceError)


def is_database_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database could not be reached or had no free connection."""
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


def _raised_inside_sqlalchemy(error: BaseException) -> bool:
    return any(
        frame.f_globals.get("__name__", "").startswith("sqlalchemy.")
        for frame, _ in traceback.walk_tb(error.__traceback__)
    )
