"""``GET /v1/voices``: the voices this service can speak with."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from aivideo.api.dependencies import CurrentUser, ResourcesDep
from aivideo.pipeline.speech.registry import voice_catalogue

router = APIRouter(prefix="/v1/voices", tags=["voices"])


class Voices(BaseModel):
    voices: list[str]
    default: str


@router.get("", summary="The voices videos can be made with")
async def list_voices(user: CurrentUser, resources: ResourcesDep) -> Voices:
    catalogue = voice_catalogue(resources.settings)
    return Voices(voices=catalogue.names, default=catalogue.default)
