"""Opaque page cursors: a position encoded as URL-safe base64 JSON.

A cursor comes back from the client, so it is read as untrusted input: anything but a JSON
object whose ids are in the id range is a 422 naming `cursor`, never a query.
"""

import base64
import binascii
import json
from typing import Any

from api.core.errors import InvalidInput

# Ids are 32-bit integers in every database.
ID_RANGE = range(0, 2**31)


class InvalidCursor(InvalidInput):
    """The cursor was not one this API handed out."""

    def __init__(self) -> None:
        super().__init__({"query.cursor": "not a cursor from a previous page's next_cursor"})


def encode_cursor(position: dict[str, Any]) -> str:
    """The cursor for a position such as `{"after": 42}`."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_position(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor holds, None without a cursor; InvalidCursor if it is not ours."""
    if cursor is None:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        raise InvalidCursor() from None
    if not isinstance(position, dict):
        raise InvalidCursor()
    return position


def decode_cursor(cursor: str | None, key: str) -> int | None:
    """The id stored under `key`, or None without a cursor; InvalidCursor otherwise."""
    position = decode_position(cursor)
    if position is None:
        return None
    return cursor_id(position.get(key))


def cursor_id(value: Any) -> int:
    """An id read from a cursor: an integer in the id range, else InvalidCursor."""
    if not isinstance(value, int) or isinstance(value, bool) or value not in ID_RANGE:
        raise InvalidCursor()
    return value
