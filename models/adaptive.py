"""Which kind of adaptive experiment a stored spec asks for, read from its JSON."""

from collections.abc import Mapping
from typing import Any

from models.search_spec import SearchSpec
from models.seed_rounds import SeedRounds


def seed_rounds(spec: Mapping[str, Any]) -> SeedRounds | None:
    """The spec's seeds until decided, if it asks for them."""
    seeds = spec.get("seeds")
    return SeedRounds.model_validate(seeds) if isinstance(seeds, dict) else None


def search(spec: Mapping[str, Any]) -> SearchSpec | None:
    """The spec's search, if it is one."""
    found = spec.get("search")
    return SearchSpec.model_validate(found) if found else None
