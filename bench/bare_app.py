"""The baselines for api_bench.py: bare FastAPI apps under `aivideo serve`'s uvicorn.

Both have a GET /bare/{id} and a POST /bare that validates a small pydantic
body, as aivideo's endpoints do, and differ in what they do with the database:

- `fixed`: the GET returns a fixed JSON object, the POST echoes the body;
- `one-query`: the GET is one asyncpg primary-key SELECT, the POST one INSERT,
  through an asyncpg pool made in the lifespan, as large as aivideo's own
  (db_pool_size + db_max_overflow). api_bench.py makes its table, `bench_item`.

    python bench/bare_app.py fixed|one-query [--port 0] [--database-url URL]

uvicorn runs with the options `serve` gives it (aivideo/cli/server_options.py),
read from aivideo's Settings, and with aivideo's logging, so the ratios to
aivideo's figures are those of aivideo's own work.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from aivideo.cli.server_options import uvicorn_options
from aivideo.core.config import Settings, load_settings
from aivideo.observability.logs import configure_logging


class Item(BaseModel):
    text: str
    title: str | None = None


def fixed_app() -> FastAPI:
    app = FastAPI()

    @app.post("/bare", status_code=202)
    async def create(item: Item) -> dict[str, str | None]:
        return {"id": "bare", "text": item.text, "title": item.title}

    @app.get("/bare/{item_id}")
    async def get(item_id: str) -> dict[str, str]:
        return {"id": item_id, "status": "queued"}

    return app


def one_query_app(database_url: str, settings: Settings) -> FastAPI:
    pool: asyncpg.Pool

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(
            database_url,
            min_size=settings.db_pool_size,
            max_size=settings.db_pool_size + settings.db_max_overflow,
        )
        async with pool:
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/bare", status_code=202)
    async def create(item: Item) -> dict[str, str | None]:
        item_id = uuid.uuid4().hex
        await pool.execute(
            "INSERT INTO bench_item (id, text, title, status) VALUES ($1, $2, $3, 'queued')",
            item_id,
            item.text,
            item.title,
        )
        return {"id": item_id, "text": item.text, "title": item.title}

    @app.get("/bare/{item_id}")
    async def get(item_id: str) -> dict[str, Any]:
        row = await pool.fetchrow(
            "SELECT id, text, title, status, created_at FROM bench_item WHERE id = $1", item_id
        )
        if row is None:
            raise HTTPException(404, "no such item")
        return dict(row)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", choices=["fixed", "one-query"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/aivideo_bench_bare"
    )
    args = parser.parse_args()
    settings = load_settings()
    configure_logging(json=settings.log_json)
    app = fixed_app() if args.app == "fixed" else one_query_app(args.database_url, settings)
    # The options `aivideo serve` runs uvicorn with.
    options = uvicorn_options(settings)
    uvicorn.run(app, host="127.0.0.1", port=args.port, access_log=False, **options)


if __name__ == "__main__":
    main()
