"""``GET /v1/voices``: the voices this service can speak with."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from aivideo.api.dependencies import CurrentUser
from aivideo.pipeline.voices import DEFAULT_VOICE, VOICES

router = APIRouter(prefix="/v1/voices", tags=["voices"])


class Voices(BaseModel):
    voices: list[str]
    default: str


@router.get("", summary="The installed voices")
async def list_voices(user: CurrentUser) -> Voices:
    return Voices(voices=sorted(VOICES), default=DEFAULT_VOICE)
