"""schemathesis against a real ``aivideo serve``, inside a network namespace: 0 server errors.

The fuzzer makes up webhook URLs and media URLs; in a namespace with only
loopback (``unshare -n``) none of them can leave the machine.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.support.backends import IN_CI

FUZZ_SECONDS = 60


async def _can_make_a_network_namespace() -> bool:
    found = await asyncio.to_thread(lambda: [shutil.which(tool) for tool in ("unshare", "ip")])
    if None in found:
        return False
    probe = await asyncio.create_subprocess_exec(
        "unshare", "-n", "true", stderr=asyncio.subprocess.DEVNULL
    )
    return await probe.wait() == 0


@pytest.mark.timeout(FUZZ_SECONDS + 120)
async def test_the_fuzzer_finds_no_server_error(tmp_path: Path) -> None:
    if not await _can_make_a_network_namespace():
        message = "cannot run `unshare -n` here (needs root and iproute2)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    report = tmp_path / "junit.xml"
    inside = (
        f"ip link set lo up && exec {sys.executable} -m tests.support.fuzz_api "
        f"{tmp_path} {FUZZ_SECONDS} {report}"
    )
    fuzzing = await asyncio.create_subprocess_exec(
        "unshare", "-n", "sh", "-c", inside,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await fuzzing.communicate()
    said = output.decode(errors="replace")

    assert fuzzing.returncode == 0, said[-6000:]
    suites = (await asyncio.to_thread(ElementTree.parse, report)).getroot()
    cases = suites.findall(".//testcase")
    assert len(cases) >= 15  # every operation of the API was tried
    assert not suites.findall(".//failure") and not suites.findall(".//error")
    generated = re.findall(r"\d+ generated, \d+ passed.*", said)
    print(f"schemathesis: {len(cases)} operations, test cases: {generated[-1:]}")
