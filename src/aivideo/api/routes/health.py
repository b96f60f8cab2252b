"""Liveness and readiness endpoints for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from aivideo.api.dependencies import ResourcesDep
from aivideo.runtime.readiness import OPTIONAL, check_components

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Every component can be reached (503 names those that cannot; a cache that "
    'is down, or storage that is low, only makes it "degraded")',
)
async def readyz(resources: ResourcesDep) -> JSONResponse:
    components = await check_components(resources)
    down = [name for name, result in components.items() if result["status"] != "up"]
    needed = [
        name for name in down if name not in OPTIONAL and components[name]["status"] != "degraded"
    ]
    body: dict[str, Any] = {
        "status": "not ready" if needed else "degraded" if down else "ready",
        "components": components,
    }
    if needed:
        body["error"] = {"code": "not_ready", "message": f"not ready: {', '.join(needed)} down"}
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
