"""Text inputs checked before they reach the database: text it can store, diagnostic names."""

import re
from typing import Annotated

from pydantic import AfterValidator, Field

from analysis import names

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


def _measures() -> dict[str, list[str]]:
    """Each kind of subject (`input`, `hidden`, ...) with its measures, from analysis.names."""
    found: dict[str, list[str]] = {}
    for kind, measure in names.MEASURES:
        found.setdefault(kind, []).append(measure)
    return {kind: sorted(measures) for kind, measures in sorted(found.items())}


# A hidden layer's subject is hidden_<k>, k counted from 1, as analysis.names reads it.
_SUBJECT_PATTERNS = {names.HIDDEN: "hidden_[1-9][0-9]?"}
DIAGNOSTIC_PATTERN = (
    "^("
    + "|".join(
        f"{_SUBJECT_PATTERNS.get(kind, kind)}\\.({'|'.join(measures)})"
        for kind, measures in _measures().items()
    )
    + ")$"
)
KNOWN_DIAGNOSTICS = "; ".join(
    f"{'hidden_<k>' if kind == names.HIDDEN else kind}.{{{', '.join(measures)}}}"
    for kind, measures in _measures().items()
)


def known_diagnostic(name: str) -> str:
    """The name unchanged; ValueError listing the names the worker measures if not one."""
    if not names.is_known(name):
        raise ValueError(f"not a diagnostic name; allowed: {KNOWN_DIAGNOSTICS} (k from 1)")
    return name


DiagnosticName = Annotated[
    str, AfterValidator(known_diagnostic), Field(json_schema_extra={"pattern": DIAGNOSTIC_PATTERN})
]
