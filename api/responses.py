"""Responses rendered by pydantic once, skipping FastAPI's second validation of the result."""

from typing import Any

from fastapi import Response
from pydantic import BaseModel


class ModelResponse(Response):
    """A pydantic model as JSON. FastAPI validates a returned model again, in a worker thread
    for sync routes; a returned Response is sent as it is. Declare `response_model` for the docs.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """The model's JSON, as pydantic writes it (non-finite floats as null)."""
        if not isinstance(content, BaseModel):
            raise TypeError(f"ModelResponse renders a pydantic model, not {type(content)}")
        return content.model_dump_json().encode()
