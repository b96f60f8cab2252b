"""``aivideo worker``'s metrics: on this machine only, unless told otherwise."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path

import httpx
import psutil
import pytest

from tests.support.cli import AIVIDEO, cli_env
from tests.support.polling import wait_for


def _network_address() -> str | None:
    """An IPv4 address of this machine other than loopback, if it has one."""
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if (
                address.family == socket.AF_INET
                and not ipaddress.ip_address(address.address).is_loopback
            ):
                return str(address.address)
    return None


async def _accepts_connections(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(host, port)
    except ConnectionRefusedError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        return int(probe.getsockname()[1])


async def test_worker_metrics_are_not_served_to_the_network_by_default(tmp_path: Path) -> None:
    network = await asyncio.to_thread(_network_address)
    if network is None:
        pytest.skip("this machine has no address but loopback to try the metrics port from")
    port = await asyncio.to_thread(_free_port)
    env = cli_env(tmp_path, AIVIDEO_RENDER_SLOTS="1", AIVIDEO_WORKER_METRICS_PORT=str(port))
    worker = await asyncio.create_subprocess_exec(
        *AIVIDEO, "worker", env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        async with httpx.AsyncClient(timeout=2) as client:

            async def served() -> httpx.Response | None:
                try:
                    return await client.get(f"http://127.0.0.1:{port}/metrics")
                except httpx.ConnectError:
                    return None  # not listening yet

            metrics = await wait_for(served, seconds=60)
        from_the_network = await _accepts_connections(network, port)
    finally:
        worker.terminate()
        await worker.wait()

    assert metrics.status_code == 200 and "aivideo_worker_slots" in metrics.text
    assert not from_the_network, f"the metrics port answers on {network}, not only on loopback"
