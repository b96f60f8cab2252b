"""The SQL statements this process sends while a block runs: which reads a test caused."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextlib.contextmanager
def statements_run(containing: str) -> Iterator[list[str]]:
    """The statements of every engine of this process that contain ``containing``."""
    seen: list[str] = []

    def note(*args: object) -> None:
        statement = str(args[2])  # (connection, cursor, statement, ...)
        if containing in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)
