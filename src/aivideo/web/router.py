"""Serving the page and its files; the page talks to the same API as everyone."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html")


# check_dir=False: no filesystem call while the app is built (it may be on the event loop).
static_files = StaticFiles(directory=STATIC, check_dir=False)
