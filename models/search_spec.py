"""A search over ranges, as a spec asks for it: Optuna samples each trial's config from `space`
(analysis.adaptive.study); the best few trials are run again on more seeds before a winner is
called."""

import itertools
from typing import Annotated, Any, Literal, Self

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from models.config_paths import GRID_PATHS, path_kind, with_values
from models.limits import work
from models.spec import FinalFigure, JobConfig, SpecModel, field_error, located

MAX_SEED = 2**31 - 1
# hidden_layers holds a list, which Optuna cannot sample.
SEARCH_PATHS = tuple(path for path in GRID_PATHS if path != "model.hidden_layers")
Choice = str | int | float | bool
CHOICES = TypeAdapter(Annotated[list[Choice], Field(min_length=1, max_length=20)])


class SearchRange(SpecModel):
    """A numeric range; `log` samples it on a log scale (then `low` must be above 0)."""

    low: int | float = Field(description="lowest value")
    high: int | float = Field(description="highest value")
    log: bool = Field(False, description="sample on a log scale")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high <= self.low:
            message = f"high ({self.high:g}) must be above low ({self.low:g})"
            raise field_error("SearchRange", ("high",), message, self.high)
        if self.log and self.low <= 0:
            message = f"a log range needs low above 0, not {self.low:g}"
            raise field_error("SearchRange", ("low",), message, self.low)
        return self

    def ends(self, kind: str) -> list[Any]:
        """Its two ends, as the path's kind stores them."""
        return [int(self.low), int(self.high)] if kind == "int" else [self.low, self.high]


Dimension = SearchRange | list[Choice]


def _dimension(path: str, value: Any) -> Dimension:
    """A range (an object) or the choices (a list), each error named under the path."""
    if path not in SEARCH_PATHS:
        message = f"unknown search path '{path}'; allowed: {', '.join(SEARCH_PATHS)}"
        raise field_error("SearchSpec", (path,), message, path)
    try:
        if isinstance(value, list):
            return CHOICES.validate_python(value, strict=True)
        return SearchRange.model_validate(value)
    except ValidationError as error:
        raise located(error, (path,)) from None


class SearchSpec(SpecModel):
    """Trials sampled by Optuna (TPE or random) and pruned by its median rule; then the best
    `finalists` trials run again until they have `finalist_seeds` seeds each."""

    space: dict[str, Dimension] = Field(
        min_length=1,
        max_length=8,
        description="config paths to a range ({low, high, log}) or a list of choices",
    )
    trials: int = Field(30, ge=1, le=200, description="configs to try")
    sampler: Literal["tpe", "random"] = Field("tpe", description="Optuna's TPE or random")
    seeds_per_trial: int = Field(1, ge=1, le=10, description="seeds of each trial (0, 1, ...)")
    parallel: int = Field(
        2,
        ge=1,
        le=50,
        description="trials queued at once: more keeps more workers busy, fewer lets the "
        "sampler learn from more finished trials before it picks the next",
    )
    finalists: int = Field(3, ge=0, le=10, description="best trials run again on more seeds")
    finalist_seeds: int = Field(5, ge=1, le=20, description="seeds of each finalist in all")
    pruner: Literal["median", "none"] = Field(
        "median", description="stop a trial whose epoch is worse than the median of finished ones"
    )
    metric: FinalFigure = Field("test_loss", description="the final figure the search optimises")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="the sampler's seed")

    @field_validator("space", mode="before")
    @classmethod
    def _dimensions(cls, space: Any) -> Any:
        # Each value is a range or a list, told apart by its type: an error names the path
        # and the field, not both alternatives of a union.
        if not isinstance(space, dict):
            return space
        return {path: _dimension(str(path), value) for path, value in space.items()}

    @model_validator(mode="after")
    def _finalists_fit(self) -> Self:
        if self.finalist_seeds < self.seeds_per_trial:
            message = (
                f"finalist_seeds ({self.finalist_seeds}) is below seeds_per_trial "
                f"({self.seeds_per_trial})"
            )
            raise field_error("SearchSpec", ("finalist_seeds",), message, self.finalist_seeds)
        if self.finalists > self.trials:
            message = f"finalists ({self.finalists}) is more than the trials ({self.trials})"
            raise field_error("SearchSpec", ("finalists",), message, self.finalists)
        return self

    def max_jobs(self) -> int:
        """Jobs the search runs at most: every trial's seeds, then the finalists' extra seeds."""
        extra = self.finalists * (self.finalist_seeds - self.seeds_per_trial)
        return self.trials * self.seeds_per_trial + extra

    def values(self, path: str) -> list[Any]:
        """The values of a path that bound its space: a range's ends, or every choice."""
        dimension = self.space[path]
        if isinstance(dimension, SearchRange):
            return dimension.ends(path_kind(path))
        return list(dimension)

    def check_space(self, base: dict[str, Any]) -> None:
        """Refuse a range on a path that is not a number, and values that
        break a config: each alone over `base`, and each pair (a cross-field rule such as
        momentum for sgd only joins two paths)."""
        for path, dimension in self.space.items():
            _check_path(path, dimension)
        for (a, values_a), (b, values_b) in itertools.combinations_with_replacement(
            [(path, self.values(path)) for path in self.space], 2
        ):
            for x, y in itertools.product(values_a, values_b):
                _check_values(base, {a: x, b: y} if a != b else {a: x})

    def heaviest(self, base: dict[str, Any]) -> JobConfig:
        """The config of the most work the space allows: work grows with each path alone."""
        chosen: dict[str, Any] = {}
        for path in self.space:
            chosen[path] = max(self.values(path), key=lambda v: work(with_values(base, {path: v})))
        return with_values(base, chosen)


def _check_path(path: str, dimension: Dimension) -> None:
    kind = path_kind(path)
    if isinstance(dimension, SearchRange) and kind == "other":
        message = f"'{path}' is not a number: give a list of choices, not a range"
        raise field_error("SearchSpec", ("space", path), message, path)
    if isinstance(dimension, SearchRange) and kind == "int":
        for end, value in (("low", dimension.low), ("high", dimension.high)):
            if value != int(value):
                message = f"'{path}' holds whole numbers, not {value:g}"
                raise field_error("SearchSpec", ("space", path, end), message, value)


def _check_values(base: dict[str, Any], values: dict[str, Any]) -> None:
    try:
        with_values(base, values)
    except ValueError as error:
        path = next(iter(values))
        shown = ", ".join(f"{p} = {v!r}" for p, v in values.items())
        message = f"{shown}: {error}"
        raise field_error("SearchSpec", ("space", path), message, values[path]) from None
