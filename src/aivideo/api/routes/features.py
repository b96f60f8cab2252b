"""``GET /v1/features``: which optional providers this server has, for clients and the page."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from aivideo.api.dependencies import CurrentUser, ResourcesDep

router = APIRouter(prefix="/v1/features", tags=["features"])


class Features(BaseModel):
    script_writer: bool  # videos may be made from a `prompt`
    remote_voice: bool
    stock_footage: bool


@router.get("", summary="The optional providers this server is set up with")
async def list_features(user: CurrentUser, resources: ResourcesDep) -> Features:
    providers = resources.providers
    return Features(
        script_writer=providers.script_writer is not None,
        remote_voice=providers.remote_voice is not None,
        stock_footage=providers.stock is not None,
    )
