"""Seeds until decided, as a spec asks for it: `"seeds": {"min": 3, "max": 15}`.

Every config first runs `min` seeds; each later round gives `min` more (at most `max` in all)
to the configs of pairs still undecided. So an experiment looks at its results at most
`looks()` times, which fixes in advance the level each look tests at (analysis.adaptive.sequential).
"""

import math
from typing import Self

from pydantic import Field, model_validator

from models.spec import FinalFigure, SpecModel, field_error

# As many seeds as a list of seeds may hold.
MAX_SEEDS = 100


class SeedRounds(SpecModel):
    """Seeds added in rounds until every pair of configs is decided, or `max` is reached."""

    min: int = Field(ge=2, le=MAX_SEEDS, description="seeds of every config in the first round")
    max: int = Field(ge=2, le=MAX_SEEDS, description="seeds a config may reach at most")
    metric: FinalFigure = Field("test_loss", description="the final figure pairs are decided on")
    margin: float | None = Field(
        None,
        gt=0,
        le=100,
        description="equivalence margin on the metric (default: the report's, 0.01 for losses, "
        "0.005 for accuracies)",
    )

    @model_validator(mode="after")
    def _max_not_below_min(self) -> Self:
        if self.max < self.min:
            message = f"max ({self.max}) is below min ({self.min})"
            raise field_error("SeedRounds", ("max",), message, self.max)
        return self

    def looks(self) -> int:
        """How many times the results are looked at, at most: after each round."""
        return 1 + math.ceil((self.max - self.min) / self.min)

    def next_count(self, seeds: int) -> int:
        """A config's seeds after one more round."""
        return min(seeds + self.min, self.max)
