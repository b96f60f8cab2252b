"""The web page at ``/``: make a video in three clicks, served by the app itself.

The page talks to the same API as everyone; its files are in ``api/static``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parents[1] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


# check_dir=False: no filesystem call while the app is built (it may be on the event loop).
static_files = StaticFiles(directory=STATIC, check_dir=False)
