"""The baseline for api_bench.py: a bare FastAPI app on the same server stack.

It parses and validates a JSON body and returns JSON, as the real endpoints do,
but touches no database, so the ratio shows what aivideo's own work costs.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    text: str
    title: str | None = None


@app.post("/bare", status_code=202)
async def create(item: Item) -> dict[str, str | None]:
    return {"id": "bare", "text": item.text, "title": item.title}


@app.get("/bare/{item_id}")
async def get(item_id: str) -> dict[str, str]:
    return {"id": item_id, "status": "queued"}
