"""``GET /v1/webhooks/secret``: the key a user's webhook receiver verifies signatures with."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aivideo.api.dependencies import CurrentUser, SessionDep
from aivideo.db.models import User, new_webhook_secret
from aivideo.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class WebhookSecret(BaseModel):
    secret: str = Field(description="HMAC-SHA256 key of your webhooks; keep it private.")
    signature_header: str = SIGNATURE_HEADER
    timestamp_header: str = TIMESTAMP_HEADER
    signed_message: str = "<timestamp>.<raw request body>"


@router.get("/secret", summary="The secret your webhook receiver verifies signatures with")
async def webhook_secret(session: SessionDep, caller: CurrentUser) -> WebhookSecret:
    user = await session.get_one(User, caller.id)
    if user.webhook_secret is None:
        user.webhook_secret = new_webhook_secret()
        await session.commit()
    return WebhookSecret(secret=user.webhook_secret)
