"""``aivideo serve`` and ``aivideo worker`` refuse to start on a store that refuses them.

A missing bucket or refused credentials is a setting to fix: one line naming
it, exit status 2, never a traceback. Every store here is moto on loopback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli
from tests.support.object_store import S3, strict_s3_server

pytestmark = pytest.mark.timeout(120)


def _env(data_dir: Path, bucket: str, endpoint: str = S3.url) -> dict[str, str]:
    return cli_env(
        data_dir, AIVIDEO_STORAGE_URL=f"s3://{bucket}/videos", AIVIDEO_S3_ENDPOINT_URL=endpoint
    )


def _one_line(said: str) -> str:
    lines = [line for line in said.splitlines() if line.startswith("aivideo: ")]
    assert len(lines) == 1, said
    assert "Traceback" not in said
    return lines[0]


@pytest.mark.parametrize("command", ["serve", "worker"])
async def test_a_bucket_that_does_not_exist_stops_the_start_naming_the_setting(
    command: str, s3_credentials: None, tmp_path: Path
) -> None:
    code, out, err = await run_cli(_env(tmp_path, "no-such-bucket-for-aivideo"), command)

    assert code == 2
    said = _one_line(out + err)
    assert "the bucket 'no-such-bucket-for-aivideo' does not exist" in said
    assert "AIVIDEO_STORAGE_URL" in said


async def test_refused_credentials_stop_serve_naming_the_aws_variables(
    s3_credentials: None, tmp_path: Path
) -> None:
    async with strict_s3_server(tmp_path / "moto.log") as strict:
        code, out, err = await run_cli(_env(tmp_path / "data", "videos", strict), "serve")

    assert code == 2
    said = _one_line(out + err)
    assert "refused the credentials (InvalidAccessKeyId)" in said
    assert "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in said
