"""The one settings object, read from the environment; defaults run everything locally."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
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
    tf_threads: int = Field(0, ge=0, le=256)
    steps_per_execution: int = Field(64, ge=1, le=10_000)
    cancel_poll_seconds: float = Field(0.5, gt=0, le=60)
    page_size_max: int = Field(500, ge=1, le=10_000)


@lru_cache
def get_settings() -> Settings:
    """Return the process's settings, read once from the environment."""
    return Settings()
