"""The HTTP shape of the health check."""

from typing import Literal

from pydantic import BaseModel, Field


class HealthOut(BaseModel):
    """Whether the database and the broker answer."""

    status: Literal["ok", "unavailable"] = Field(
        description="ok when both the database and the broker answer"
    )
    database: Literal["ok", "unavailable"] = Field(description="whether the database answers")
    broker: Literal["ok", "unavailable"] = Field(description="whether the broker (Redis) answers")
