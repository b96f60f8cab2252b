"""One typed settings object, read from ``AIVIDEO_*`` environment variables.

The defaults give a working embedded system: SQLite in the data folder, an
in-process cache and an in-process broker. Nothing has to be installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aivideo.core.cores import usable_cores

ENV_PREFIX = "AIVIDEO_"

_URL_SCHEMES = {
    "database_url": ("sqlite+aiosqlite", "postgresql+asyncpg", "mysql+aiomysql"),
    "redis_url": ("redis", "rediss", "unix"),
    "broker_url": ("amqp", "amqps"),
    "llm_base_url": ("http", "https"),
    "speech_base_url": ("http", "https"),
    "pexels_base_url": ("http", "https"),
    "pixabay_base_url": ("http", "https"),
    "storage_url": ("file", "s3"),
    "s3_endpoint_url": ("http", "https"),
}

PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]


class Settings(BaseSettings):
    """Everything aivideo can be told, with the environment variable for each."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(
        default=Path("aivideo-data"),
        description="Folder for the SQLite database (embedded mode) and the video files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; unset means SQLite in the data folder.",
    )
    voice_models_dir: Path | None = Field(
        default=None,
        description="Where voice models patched to time each word are kept (made once, on "
        "first use); unset: DATA_DIR/voices.",
    )
    voices_dir: Path | None = Field(
        default=None,
        description="A folder of Piper voices (NAME.onnx beside NAME.onnx.json, as Piper "
        "publishes them), offered beside the bundled ones; added and removed files are seen "
        "within a second, without a restart.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where the files of finished videos are kept: file:///path, or "
        "s3://bucket/prefix (credentials from the standard AWS_* variables); unset: "
        "DATA_DIR/videos. Videos are made in DATA_DIR/videos either way.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="An S3-compatible store (MinIO, Ceph, R2...): its http(s):// address; "
        "unset: AWS.",
    )
    download_mode: Literal["redirect", "proxy"] | None = Field(
        default=None,
        description="redirect: a download answers 307 to a short-lived presigned URL of "
        "the store (s3:// only, and its default); proxy: the API sends the file itself, "
        "with Range support (file://'s only mode).",
    )
    download_url_seconds: Annotated[int, Field(ge=10, le=7 * 86400)] = Field(
        default=300, description="How long a presigned download URL stays valid."
    )
    s3_part_bytes: Annotated[int, Field(ge=5 * 1024 * 1024)] = Field(
        default=8 * 1024 * 1024,
        description="Files larger than this go to S3 in parts of this size, a few at once "
        "(multipart upload; S3's smallest part is 5 MiB).",
    )
    redis_url: str | None = Field(default=None, description="Unset: in-process memory cache.")
    broker_url: str | None = Field(default=None, description="Unset: in-process broker.")

    db_pool_size: PositiveInt = 10
    db_max_overflow: Annotated[int, Field(ge=0)] = 10
    db_pool_timeout: PositiveFloat = 10.0
    db_pool_recycle: PositiveInt = 1800
    sqlite_busy_timeout_ms: PositiveInt = 5000

    http_max_connections: PositiveInt = 100
    http_max_keepalive: PositiveInt = 20
    http_connect_timeout: PositiveFloat = 5.0
    http_read_timeout: PositiveFloat = 30.0

    http_total_timeout: PositiveFloat = Field(
        default=120.0, description="Seconds one outgoing request may take from start to end."
    )
    http_retry_attempts: PositiveInt = Field(
        default=4, description="Tries per outgoing request on connection errors, 429 and 5xx."
    )
    http_retry_timeout: PositiveFloat = Field(
        default=60.0, description="Seconds an outgoing request may spend retrying in all."
    )
    http_retry_after_max: PositiveFloat = Field(
        default=30.0,
        description="The longest Retry-After a provider may ask for and still be waited for.",
    )
    provider_concurrency: PositiveInt = Field(
        default=4, description="Requests this process sends to one provider at once."
    )

    cache_timeout: PositiveFloat = Field(
        default=0.05,
        description="Seconds a cache call may take; a slower cache is skipped (the database "
        "answers instead).",
    )
    cache_retry_interval: PositiveFloat = Field(
        default=1.0, description="Seconds between two tries of a cache that is down."
    )
    cache_max_connections: PositiveInt = Field(
        default=50, description="Connections to Redis this process's cache may hold."
    )
    cache_memory_size: PositiveInt = Field(
        default=10_000, description="Entries the in-process cache holds (embedded mode)."
    )
    cache_videos: bool = Field(
        default=True, description="Serve GET /v1/videos/{id} and batch-get from the cache."
    )
    cache_video_ttl: PositiveFloat = Field(
        default=30.0, description="Seconds a video's cached status may be served."
    )
    cache_key_ttl: PositiveFloat = Field(
        default=300.0,
        description="Seconds an API key's owner is remembered (PostgreSQL: revocations "
        "reach every process at once, and empty the cache).",
    )
    cache_provider_ttl: PositiveFloat = Field(
        default=7 * 86400.0,
        description="Seconds provider results (scripts, searches, speech, downloads) are kept.",
    )

    llm_base_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible API (…/v1) that writes scripts from a prompt; unset: "
        "videos need their text.",
    )
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    speech_base_url: str | None = Field(
        default=None,
        description="An OpenAI-compatible API (…/v1) with /audio/speech; unset: the offline voice.",
    )
    speech_api_key: SecretStr | None = None
    speech_model: str = "tts-1"
    speech_voice: str = Field(default="alloy", description="The remote voice when none is asked.")
    pexels_api_key: SecretStr | None = Field(
        default=None, description="Set: scenes show Pexels stock footage."
    )
    pexels_base_url: str = "https://api.pexels.com"
    pixabay_api_key: SecretStr | None = Field(
        default=None, description="Set: scenes show Pixabay stock footage."
    )
    pixabay_base_url: str = "https://pixabay.com"
    media_max_bytes: PositiveInt = Field(
        default=100_000_000, description="Largest file `media_urls` may point to."
    )
    # At most aivideo.media.limits.HEADER_CHECK_PIXELS (Pillow's own refusal).
    media_max_pixels: Annotated[int, Field(gt=0, le=1_000_000_000)] = Field(
        default=40_000_000,
        description="Largest picture (width × height) accepted from users or stock libraries; "
        "a larger one is refused from its header, before it is decoded.",
    )
    allow_private_urls: bool = Field(
        default=False,
        description="Let `media_urls` and `webhook_url` point to loopback and private "
        "addresses (tests, self-hosted set-ups on an intranet).",
    )

    thread_pool_size: PositiveInt = 8
    process_pool_size: PositiveInt = Field(default_factory=usable_cores)

    render_slots: Annotated[int, Field(ge=0)] = Field(
        default_factory=usable_cores,
        description="How many videos this process makes at once; 0: it only takes requests.",
    )

    max_queued_per_user: PositiveInt = Field(
        default=100, description="Videos one user may have waiting; more is refused with 429."
    )
    max_queued_total: PositiveInt = Field(
        default=5000, description="Videos all users together may have waiting."
    )
    max_storage_per_user: Annotated[int, Field(ge=0)] = Field(
        default=0,
        description="Bytes one user's finished videos may take; over it, creates are refused "
        "(413). 0: unlimited.",
    )
    retention_days: Annotated[float, Field(ge=0)] = Field(
        default=0,
        description="Finished videos older than this are deleted, files and rows. 0: kept.",
    )
    storage_low_bytes: Annotated[int, Field(ge=0)] = Field(
        default=500_000_000,
        description="/readyz reports storage as low when less than this is free.",
    )

    max_streams_per_user: PositiveInt = Field(
        default=10,
        description="Progress streams one user may have open at once on one API process; "
        "more are refused with 429.",
    )
    stream_max_seconds: PositiveFloat = Field(
        default=3600.0,
        description="How long a progress stream stays open; it then ends with a `reconnect` "
        "event, and the client connects again.",
    )

    broker_queue: str = Field(
        default="aivideo.videos", description="RabbitMQ queue (quorum, durable) of video jobs."
    )
    parallel_segments: bool = Field(
        default=True,
        description="With RabbitMQ, a long video's speech and render are shared by every "
        "worker that is free: each run of sentences and each segment is a task of its own.",
    )
    segment_scenes: Annotated[int, Field(ge=1, le=50)] = Field(
        default=2,
        description="Scenes per segment of a render (a segment is what one encoder makes at "
        "a time, and what one worker takes with parallel segments).",
    )
    lease_seconds: PositiveFloat = Field(
        default=30.0,
        description="How long a worker's claim on a video holds without a heartbeat; a "
        "video whose worker died is handed to another one after this.",
    )
    reconcile_interval: PositiveFloat = Field(
        default=5.0, description="Seconds between two looks for lost or undelivered videos."
    )
    dispatch_grace: PositiveFloat = Field(
        default=10.0,
        description="A queued video not handed to the broker after this many seconds is "
        "handed over by the reconciler.",
    )
    redispatch_after: PositiveFloat = Field(
        default=900.0,
        description="A queued video handed to the broker this long ago and still not "
        "taken is handed over again (duplicates are harmless).",
    )
    cancel_check_interval: PositiveFloat = Field(
        default=0.5, description="Seconds between a worker's looks for cancelled videos."
    )
    max_attempts: PositiveInt = Field(
        default=3, description="Tries per video for transient failures (and dead workers)."
    )
    retry_backoff: PositiveFloat = Field(
        default=5.0, description="First wait before a retry; doubles per attempt, with jitter."
    )
    retry_backoff_max: PositiveFloat = 300.0
    shutdown_grace: Annotated[float, Field(ge=0)] = Field(
        default=30.0,
        description="On SIGTERM a worker finishes its videos for this long, then hands "
        "the rest back to the queue.",
    )
    webhook_timeout: PositiveFloat = Field(
        default=10.0,
        description="Seconds one webhook attempt may take in all, from resolving the host "
        "to the last byte read.",
    )
    webhook_concurrency: PositiveInt = Field(
        default=10, description="Webhook deliveries this process attempts at once."
    )
    webhook_retry_period: PositiveFloat = Field(
        default=3600.0, description="How long a failing webhook is retried, in seconds."
    )

    worker_metrics_port: Annotated[int, Field(ge=0, le=65535)] = Field(
        default=9464,
        description="Port where `aivideo worker` serves /metrics for Prometheus; 0: none.",
    )
    worker_metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the worker's /metrics listens on: this machine only, unless set "
        "(0.0.0.0: every interface, for a Prometheus elsewhere).",
    )

    log_format: Literal["auto", "json", "console"] = Field(
        default="auto",
        description="json: one JSON object per line; console: colours; auto: json unless "
        "the output is a terminal.",
    )

    probe_timeout: PositiveFloat = Field(
        default=2.0, description="Seconds a /readyz check may take per component."
    )
    max_body_bytes: PositiveInt = Field(
        default=2_000_000, description="Largest request body the API accepts."
    )
    require_api_key: bool = Field(
        default=False,
        description="Refuse requests without a key even when serving on a loopback address.",
    )

    # `aivideo serve`'s own limits, so that it may face clients without a proxy.
    serve_limit_concurrency: PositiveInt = Field(
        default=12_000,
        description="Connections (and requests in progress) `aivideo serve` takes at once, "
        "per process; more are answered 503. `serve` raises its open-files limit to fit, "
        "as far as the system's hard limit allows.",
    )
    serve_max_requests: PositiveInt = Field(
        default=1000,
        description="API requests one `aivideo serve` process works on at once (counted once "
        "their body is in); one more is answered 503 with Retry-After after half a second. "
        "Progress streams, downloads, /healthz, /readyz and /metrics are not counted. At "
        "most 90% of AIVIDEO_SERVE_LIMIT_CONCURRENCY, whose own 503 has no Retry-After.",
    )
    serve_backlog: PositiveInt = Field(
        default=2048, description="Connections the system holds until `serve` accepts them."
    )
    serve_keep_alive_timeout: PositiveInt = Field(
        default=5, description="Seconds an idle keep-alive connection is kept open."
    )
    serve_max_header_bytes: Annotated[int, Field(ge=1024)] = Field(
        default=16_384,
        description="The most of a request's line and headers buffered while they arrive; "
        "past it the request is refused (400) before the app sees it.",
    )
    serve_max_wait: Annotated[float, Field(ge=0)] = Field(
        default=1.0,
        description="While the oldest API request in progress (of at least 100) has waited "
        "longer than this, a new one is answered 503 with Retry-After after half a second "
        "instead of waiting (0: never): below the 2 s after which clients like wrk give up, "
        "since a request let in then waits about as long again. Progress streams, "
        "downloads, /healthz, /readyz and /metrics are never refused.",
    )
    serve_shutdown_timeout: Annotated[int, Field(ge=0)] = Field(
        default=10,
        description="On SIGTERM, seconds requests in progress (downloads, progress streams) "
        "get to finish before they are cut off.",
    )

    @field_validator("data_dir")
    @classmethod
    def _absolute_data_dir(cls, data_dir: Path) -> Path:
        # Resolved once, at start-up, so no later code has to ask the filesystem.
        return data_dir.absolute()

    @field_validator("voices_dir")
    @classmethod
    def _absolute_voices_dir(cls, voices_dir: Path | None) -> Path | None:
        return None if voices_dir is None else voices_dir.absolute()

    @field_validator(*_URL_SCHEMES)
    @classmethod
    def _known_scheme(cls, url: str | None, info: ValidationInfo) -> str | None:
        schemes = _URL_SCHEMES[info.field_name or ""]
        if url is not None and not url.startswith(tuple(f"{s}://" for s in schemes)):
            listed = ", ".join(f"{s}://" for s in schemes)
            raise ValueError(f"expected a URL starting with one of {listed}")
        return url

    @field_validator("storage_url")
    @classmethod
    def _storage_location(cls, url: str | None) -> str | None:
        if url is not None and url.startswith("s3://") and not url[5:].split("/")[0]:
            raise ValueError("name the bucket: s3://bucket or s3://bucket/prefix")
        if url is not None and url.startswith("file://") and not url[7:].startswith("/"):
            raise ValueError("give an absolute path: file:///path/to/folder")
        return url

    @field_validator("download_mode")
    @classmethod
    def _download_mode_fits_storage(cls, mode: str | None, info: ValidationInfo) -> str | None:
        storage_url = info.data.get("storage_url") or ""
        if mode == "redirect" and not storage_url.startswith("s3://"):
            raise ValueError(
                "redirect needs AIVIDEO_STORAGE_URL=s3://...: files on a disk have no URL "
                "to redirect to (use proxy)"
            )
        return mode

    @property
    def stores_in_s3(self) -> bool:
        return self.storage_url is not None and self.storage_url.startswith("s3://")

    @property
    def redirects_downloads(self) -> bool:
        """Downloads answer with a redirect to the store (S3's default), else the API sends them."""
        return (self.download_mode or ("redirect" if self.stores_in_s3 else "proxy")) == "redirect"

    @property
    def effective_database_url(self) -> str:
        """The database URL in use: the configured one, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'aivideo.db'}"

    @property
    def voice_models_folder(self) -> Path:
        return self.voice_models_dir or self.data_dir / "voices"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def log_json(self) -> bool | None:
        return {"json": True, "console": False}.get(self.log_format)

    @property
    def storage_dir(self) -> Path:
        """Where this machine makes videos; also the store by default (no AIVIDEO_STORAGE_URL)."""
        return self.data_dir / "videos"

    @property
    def file_store_dir(self) -> Path:
        """The folder of a file:// store (the default one: :attr:`storage_dir`)."""
        if self.storage_url and self.storage_url.startswith("file://"):
            return Path(self.storage_url.removeprefix("file://"))
        return self.storage_dir


class ConfigurationError(Exception):
    """The environment holds a value aivideo cannot use; the message names it."""


def load_settings() -> Settings:
    """Read the settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            value = os.environ.get(ENV_PREFIX + field.upper(), "")
            problem = error["msg"].removeprefix("Value error, ")
            lines.append(f"{ENV_PREFIX}{field.upper()}={value!r}: {problem}")
        raise ConfigurationError("invalid configuration:\n  " + "\n  ".join(lines)) from exc
