"""Liveness and readiness endpoints for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from aivideo.api.dependencies import ResourcesDep
from aivideo.readiness import check_components

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Every component can be reached (503 names those that cannot)")
async def readyz(resources: ResourcesDep) -> JSONResponse:
    components = await check_components(resources)
    down = [name for name, result in components.items() if result["status"] != "up"]
    body: dict[str, Any] = {
        "status": "ready" if not down else "not ready",
        "components": components,
    }
    if down:
        body["error"] = {
            "code": "not_ready",
            "message": f"not ready: {', '.join(down)} down",
        }
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
