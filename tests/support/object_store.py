"""moto's S3 server on loopback, the S3-compatible store the storage tests run against.

``.ci/services`` starts ``moto_server`` on 127.0.0.1:5055 (``AIVIDEO_TEST_S3_URL``
elsewhere). Each test gets a bucket of its own, emptied and deleted afterwards.
Every request goes to loopback: the tests set the endpoint and credentials, so
no client ever looks for AWS's own.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import obstore
import uuid_utils
from obstore.store import S3Store

from aivideo.core.config import Settings
from tests.support.backends import Backend
from tests.support.polling import wait_for

S3 = Backend(
    "s3 (moto)",
    os.environ.get("AIVIDEO_TEST_S3_URL", "http://127.0.0.1:5055"),
    "start moto's S3 server: `bash .ci/services` does",
)
# Any key will do for moto; set, they keep every client away from AWS's own lookups.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "aivideo-test",
    "AWS_SECRET_ACCESS_KEY": "aivideo-test-secret",
    "AWS_REGION": "us-east-1",
}


def s3_settings(
    settings: Settings, bucket: str, endpoint: str = S3.url, **more: object
) -> Settings:
    """``settings`` with their videos kept in ``bucket`` under ``videos/``."""
    update = {"storage_url": f"s3://{bucket}/videos", "s3_endpoint_url": endpoint, **more}
    return settings.model_copy(update=update)


def raw_store(bucket: str, endpoint: str = S3.url) -> S3Store:
    """The bucket itself, for a test to look into (or put objects into) directly."""
    return S3Store(
        bucket, endpoint=endpoint, access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"], region="us-east-1",
        client_options={"allow_http": True},
    )  # fmt: skip


async def object_names(bucket: str, prefix: str = "") -> list[str]:
    """Every key in ``bucket`` under ``prefix``, sorted."""
    found = await obstore.list(raw_store(bucket), prefix=prefix or None).collect_async()
    return sorted(meta["path"] for meta in found)


async def multipart_uploads(bucket: str) -> list[tuple[str, str]]:
    """The multipart uploads begun in ``bucket`` and not completed: (key, upload id)."""
    async with httpx.AsyncClient(base_url=S3.url) as http:
        listing = (await http.get(f"/{bucket}", params={"uploads": ""})).text
    uploads = re.findall(r"<Upload>(.*?)</Upload>", listing, flags=re.S)
    return [(_tag(upload, "Key"), _tag(upload, "UploadId")) for upload in uploads]


def _tag(xml: str, name: str) -> str:
    found = re.search(f"<{name}>(.*?)</{name}>", xml, flags=re.S)
    return found.group(1) if found else ""


@asynccontextmanager
async def new_bucket() -> AsyncIterator[str]:
    """A bucket of its own on moto; deleted with what is left in it afterwards."""
    name = f"aivideo-test-{uuid_utils.uuid4().hex[:12]}"
    async with httpx.AsyncClient(base_url=S3.url) as http:
        (await http.put(f"/{name}")).raise_for_status()
        try:
            yield name
        finally:
            await delete_bucket(name)


async def delete_bucket(name: str) -> None:
    """Empty ``name`` and delete it (gone already: nothing to do)."""
    store = raw_store(name)
    try:
        keys = await object_names(name)
    except obstore.exceptions.BaseError:
        return
    if keys:
        await obstore.delete_async(store, keys)
    async with httpx.AsyncClient(base_url=S3.url) as http:
        for key, upload_id in await multipart_uploads(name):  # moto keeps their parts
            await http.delete(f"/{name}/{key}", params={"uploadId": upload_id})
        await http.delete(f"/{name}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def strict_s3_server(log: Path) -> AsyncIterator[str]:
    """A moto S3 server of its own that checks credentials (it knows none: all are refused)."""
    port = _free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"}
    with log.open("wb") as sink:  # noqa: ASYNC230 - opening an empty file
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port),
            env=env, stdout=sink, stderr=sink,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    async def answers() -> bool:
        async with httpx.AsyncClient() as http:
            try:
                await http.get(url)
            except httpx.TransportError:
                return False
            return True

    try:
        await wait_for(answers, seconds=30)
        yield url
    finally:
        server.kill()
        await server.wait()


async def put_objects(bucket: str, video_id: str, files: dict[str, bytes]) -> None:
    """Put ``files`` in the folder of ``video_id``, as a worker would have (``videos/`` prefix)."""
    store = raw_store(bucket)
    for name, content in files.items():
        await obstore.put_async(store, f"videos/{video_id}/{name}", content)


async def read_object(bucket: str, key: str) -> bytes:
    found = await obstore.get_async(raw_store(bucket), key)
    return bytes(await found.bytes_async())
