from __future__ import annotations

from pathlib import Path

import pytest

from aivideo.core.config import ConfigurationError, Settings, load_settings


def test_defaults_give_an_embedded_system(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "DATABASE_URL", "REDIS_URL", "BROKER_URL"):
        monkeypatch.delenv(f"AIVIDEO_{name}", raising=False)

    settings = load_settings()

    assert settings.data_dir == Path("aivideo-data").absolute()
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.effective_database_url.endswith("aivideo-data/aivideo.db")
    assert settings.redis_url is None and settings.broker_url is None


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIVIDEO_DATABASE_URL", "postgresql+asyncpg://u@db/aivideo")
    monkeypatch.setenv("AIVIDEO_DB_POOL_SIZE", "30")

    settings = load_settings()

    assert settings.effective_database_url == "postgresql+asyncpg://u@db/aivideo"
    assert settings.db_pool_size == 30
    assert not settings.is_sqlite


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("AIVIDEO_DATABASE_URL", "postgresql://db/x", "postgresql+asyncpg://"),
        ("AIVIDEO_REDIS_URL", "http://cache", "redis://"),
        ("AIVIDEO_BROKER_URL", "redis://broker", "amqp://"),
        ("AIVIDEO_DB_POOL_SIZE", "lots", "valid integer"),
        ("AIVIDEO_HTTP_READ_TIMEOUT", "-1", "greater than 0"),
    ],
)
def test_invalid_value_names_the_variable_and_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as raised:
        load_settings()

    assert f"{name}={value!r}" in str(raised.value)
    assert expected in str(raised.value)


def test_settings_can_be_made_in_code() -> None:
    assert Settings(database_url="mysql+aiomysql://root@db/x").db_max_overflow == 10
