"""Opaque page cursors: a position encoded as URL-safe base64 JSON."""

import base64
import binascii
import json
from typing import Any

from api.errors import DomainError


class InvalidCursor(DomainError):
    """The cursor was not one this API handed out."""

    status = 422
    title = "Invalid request"

    def __init__(self) -> None:
        super().__init__("cursor: not a cursor from a previous page's next_cursor")


def encode_cursor(position: dict[str, Any]) -> str:
    """The cursor for a position such as `{"after": 42}`."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_position(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor holds, None without a cursor; InvalidCursor if it is not ours."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None
    if not isinstance(position, dict):
        raise InvalidCursor()
    return position


def decode_cursor(cursor: str | None, key: str) -> int | None:
    """The id stored under `key`, or None without a cursor; InvalidCursor otherwise."""
    position = decode_position(cursor)
    if position is None:
        return None
    value = position.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidCursor()
    return value
