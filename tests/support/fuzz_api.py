"""Fuzz a real ``aivideo serve`` with schemathesis; meant to run inside ``unshare -n``.

Run as ``python -m tests.support.fuzz_api DATA_DIR SECONDS REPORT``: inside a
network namespace with only loopback (see tests/api/test_fuzzing.py), so no
generated URL — a webhook, a media URL — can reach anything off this machine.
The server is API-only (no render slots) on SQLite in ``DATA_DIR``; the fuzzer
gets an API key. Exits with schemathesis's code: 0 when no check failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIVIDEO_")}
    env.update(
        AIVIDEO_DATA_DIR=str(data_dir),
        AIVIDEO_RENDER_SLOTS="0",  # the API alone: fuzzed videos are never made
        AIVIDEO_REQUIRE_API_KEY="true",
        AIVIDEO_LOG_FORMAT="json",
    )
    return env


def _api_key(env: dict[str, str]) -> str:
    created = subprocess.run(
        [sys.executable, "-m", "aivideo", "keys", "create", "--user", "fuzzer"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return created.stdout.strip().splitlines()[-1]


def main(data_dir: Path, seconds: int, report: Path) -> int:
    env = _env(data_dir)
    key = _api_key(env)
    log = (data_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "aivideo", "serve", "--port", "0", "--no-access-log"],
        env=env, stderr=subprocess.PIPE, stdout=log, text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        for line in server.stderr:
            log.write(line)
            if match := re.search(r"Uvicorn running on (http://\S+)", line):
                break
        else:
            print("aivideo serve stopped before it was ready", file=sys.stderr)
            return 2
        fuzzing = subprocess.run(
            [
                str(VENV_BIN / "st"), "run", f"{match.group(1)}/openapi.json",
                "--header", f"Authorization: Bearer {key}",
                "--checks", "not_a_server_error",
                "--phases", "examples,coverage,fuzzing",
                "--max-time", str(seconds),
                "--workers", "1",
                "--generation-database", "none",
                "--report", "junit", "--report-junit-path", str(report),
                "--no-color",
            ],
            env=env,
            cwd=data_dir,  # schemathesis keeps its own files in the working directory
        )  # fmt: skip
        return fuzzing.returncode
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
