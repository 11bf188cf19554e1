"""Text inputs checked before they reach the database: text it can store."""

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# PostgreSQL's text and JSONB hold no NUL, and a lone surrogate (a JSON `\ud800` escape inside a
# page cursor) has no UTF-8 form, so neither database takes it; every other character is stored.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NOT_STORABLE = "NUL (U+0000) and lone surrogates are not allowed: a database cannot store them"


def storable(text: str) -> str:
    """The text unchanged; ValueError if it holds a character a database cannot store."""
    if UNSTORABLE.search(text):
        raise ValueError(NOT_STORABLE)
    return text


# Query strings and JSON bodies reach a route with no lone surrogate (their decoders replace or
# refuse one), so the schema states the rule a client can break: no NUL.
StoredText = Annotated[
    str, AfterValidator(storable), Field(json_schema_extra={"pattern": "^[^\\x00]*$"})
]
