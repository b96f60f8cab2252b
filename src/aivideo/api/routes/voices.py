"""``GET /v1/voices``: the voices this service can speak with."""

from __future__ import annotations

from fastapi import APIRouter

from aivideo.api.dependencies import CurrentUser, ResourcesDep
from aivideo.pipeline.speech.registry import current_voice_catalogue
from aivideo.videos.voice_schemas import VoiceList

router = APIRouter(prefix="/v1/voices", tags=["voices"])


@router.get("", summary="The voices videos can be made with")
async def list_voices(user: CurrentUser, resources: ResourcesDep) -> VoiceList:
    return VoiceList.of(await current_voice_catalogue(resources.settings))
