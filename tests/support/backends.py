"""The real database servers the tests run against, and how to reach them."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    how_to_start: str

    def reachable(self) -> bool:
        url = make_url(self.url)
        try:
            with socket.create_connection((url.host or "127.0.0.1", url.port or 0), timeout=1):
                return True
        except OSError:
            return False


POSTGRES = Backend(
    "postgresql",
    os.environ.get(
        "AIVIDEO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/aivideo_test"
    ),
    "start PostgreSQL and create the database: `bash .ci/services` does both",
)
MARIADB = Backend(
    "mariadb",
    os.environ.get("AIVIDEO_TEST_MARIADB_URL", "mysql+aiomysql://root@127.0.0.1:3306/aivideo_test"),
    "start MariaDB and create the database: `bash .ci/services` does both",
)
SERVER_BACKENDS = (POSTGRES, MARIADB)
RABBITMQ = Backend(
    "rabbitmq",
    os.environ.get("AIVIDEO_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    "start RabbitMQ: `bash .ci/services` does",
)
REDIS = Backend(
    "redis",
    os.environ.get("AIVIDEO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    "start Redis: `bash .ci/services` does",
)


IN_CI = os.environ.get("CI", "").lower() == "true"


def require(backend: Backend) -> None:
    """Skip the test if ``backend`` is down (fail it in CI, where it must be up)."""
    if backend.reachable():
        return
    message = f"{backend.name} is not reachable at {backend.url}: {backend.how_to_start}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)
