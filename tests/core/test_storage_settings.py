"""AIVIDEO_STORAGE_URL and the download mode: defaults that fit, mistakes named at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from aivideo.core.config import ConfigurationError, load_settings


def test_without_a_storage_url_videos_stay_in_the_data_folder_and_the_api_sends_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AIVIDEO_STORAGE_URL", raising=False)
    monkeypatch.setenv("AIVIDEO_DATA_DIR", str(tmp_path))

    settings = load_settings()

    assert settings.file_store_dir == settings.storage_dir == tmp_path / "videos"
    assert not settings.stores_in_s3 and not settings.redirects_downloads


def test_a_bucket_redirects_downloads_unless_told_to_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIVIDEO_STORAGE_URL", "s3://videos/prod")
    assert load_settings().redirects_downloads

    monkeypatch.setenv("AIVIDEO_DOWNLOAD_MODE", "proxy")
    assert not load_settings().redirects_downloads


def test_a_file_url_names_the_store_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIVIDEO_STORAGE_URL", "file:///mnt/share/videos")

    assert load_settings().file_store_dir == Path("/mnt/share/videos")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("AIVIDEO_STORAGE_URL", "gs://videos", "file://, s3://"),
        ("AIVIDEO_STORAGE_URL", "s3://", "name the bucket"),
        ("AIVIDEO_STORAGE_URL", "file://videos", "absolute path"),
        ("AIVIDEO_S3_ENDPOINT_URL", "minio:9000", "http://, https://"),
        ("AIVIDEO_DOWNLOAD_MODE", "redirect", "needs AIVIDEO_STORAGE_URL=s3://"),
        ("AIVIDEO_S3_PART_BYTES", "1000", "greater than or equal to 5242880"),
    ],
)
def test_a_storage_setting_that_cannot_work_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.delenv("AIVIDEO_STORAGE_URL", raising=False)
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError) as refused:
        load_settings()

    assert f"{name}={value!r}" in str(refused.value)
    assert expected in str(refused.value)
