"""The one settings object, read from the environment; defaults run everything locally."""

import hashlib
import ipaddress
import re
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/normlab.sqlite3"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class Settings(BaseSettings):
    """Service settings; `DATABASE_URL` and `REDIS_URL` keep their conventional names."""

    model_config = SettingsConfigDict(env_prefix="NORMLAB_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "NORMLAB_DATABASE_URL")
    )
    redis_url: str = Field(
        DEFAULT_REDIS_URL, validation_alias=AliasChoices("REDIS_URL", "NORMLAB_REDIS_URL")
    )
    queue: str = Field("normlab", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    dataset_dir: Path | None = None
    # Redis re-delivers an unacknowledged task after this many seconds; it must exceed the
    # longest job, or a long job would be delivered to a second worker while it still runs.
    visibility_timeout: int = Field(12 * 3600, ge=10)
    broker_timeout: float = Field(3.0, gt=0, le=60)
    # Two trainings at once with one TensorFlow thread each: on two cores a sweep ends sooner
    # this way than one job at a time (docs/performance.md). tf_threads 0 lets TensorFlow choose.
    worker_concurrency: int = Field(2, ge=1, le=64)
    tf_threads: int = Field(1, ge=0, le=256)
    # XLA-compile the training step: faster on CPU, with per-epoch losses equal to plain fit's
    # within a documented tolerance (docs/performance.md) rather than to the last bit.
    xla: bool = True
    # The training loop writes a heartbeat (and reads cancel requests) this often; a running job
    # whose heartbeat is older than stale_seconds is presumed lost and re-queued, at most
    # max_attempts runs in all.
    cancel_poll_seconds: float = Field(0.5, gt=0, le=60)
    stale_seconds: float = Field(120.0, gt=0, le=86_400)
    max_attempts: int = Field(3, ge=1, le=20)
    maintenance_seconds: float = Field(15.0, gt=0, le=3600)
    relay_grace_seconds: float = Field(10.0, ge=0, le=3600)
    # Scales every job's time limit (models.limits): above 1 for slow machines, below to test.
    time_limit_factor: float = Field(1.0, gt=0, le=100)
    # An upper bound on every job's time limit, whatever its work; none by default.
    max_job_seconds: int | None = Field(None, ge=1)
    # TensorFlow keeps some memory of every function it traced until the process ends: a worker
    # child is replaced after this many jobs, or once it passes the memory cap.
    max_tasks_per_child: int = Field(20, ge=1)
    max_memory_per_child_mb: int = Field(3000, ge=100)
    page_size_max: int = Field(500, ge=1, le=10_000)
    # API keys as `name:sha256-of-token` pairs, comma-separated; empty: no authentication
    # (make run on 127.0.0.1). Only hashes are configured; `python -m api.core.keys NAME` makes one.
    api_keys: str = ""
    requests_per_minute: int = Field(600, ge=1)
    # Failed authentications from one client address in any minute before it gets 429s.
    auth_failures_per_minute: int = Field(30, ge=1)
    # The reverse proxies whose X-Forwarded-For names the client (addresses or networks,
    # comma-separated); empty: none, so the address a connection comes from is the client's, and
    # no one can pick the address the throttle above counts. api.serve hands it to uvicorn.
    forwarded_allow_ips: str = ""
    max_active_jobs_per_key: int = Field(1000, ge=1)
    # Open event streams (SSE) per API process and per key; past them a stream is refused
    # (503, 429). Each holds a connection but no database session or thread between polls.
    max_event_streams: int = Field(100, ge=1)
    max_event_streams_per_key: int = Field(20, ge=1)
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # Threads for the API's sync routes (AnyIO's default is 40). Fewer contend less for the GIL,
    # which shortens the slowest requests without serving fewer (docs/performance.md). A call
    # waiting on Redis or the database holds a thread while it waits.
    api_threads: int = Field(8, ge=1, le=1000)
    # Freeze what the API built at start-up out of the collector's reach (api.main). Off in tests:
    # each app the suite starts would collect the whole test process first.
    api_gc_freeze: bool = True

    @field_validator("api_keys")
    @classmethod
    def _api_keys_well_formed(cls, value: str) -> str:
        parse_api_keys(value)
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network: list the proxies' addresses"
                ) from None
        return value

    @property
    def api_key_hashes(self) -> dict[str, str]:
        """Key name -> SHA-256 hex digest of its token."""
        # Read on every request, so parsed once per value; not cached on the instance, where
        # model_copy(update={"api_keys": ...}) kept the old keys' (none: no authentication).
        return parse_api_keys(self.api_keys)


API_KEY_ENTRY = re.compile(r"^([A-Za-z0-9_.-]{1,100}):([0-9a-f]{64})$")
# Tokens that appear in examples: their hashes are refused, so no deployment runs on them.
PLACEHOLDER_TOKENS = ("changeme", "change-me", "secret", "password", "token", "example", "normlab")


@lru_cache
def parse_api_keys(value: str) -> dict[str, str]:
    """Parse `name:hash,name:hash`; refuse malformed entries and placeholder tokens."""
    placeholders = {hashlib.sha256(token.encode()).hexdigest() for token in PLACEHOLDER_TOKENS}
    keys: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in value.split(","))):
        match = API_KEY_ENTRY.match(entry)
        if match is None:
            raise ValueError("each API key must be name:sha256-hex-of-token (64 lowercase hex)")
        if match.group(2) in placeholders:
            raise ValueError(f"API key {match.group(1)!r} is a placeholder token; make a real one")
        keys[match.group(1)] = match.group(2)
    return keys


@lru_cache
def get_settings() -> Settings:
    """Return the process's settings, read once from the environment."""
    return Settings()
