"""An experiment: a base config, a grid and variants over it, and seeds; it expands to jobs."""

import copy
import itertools
import math
from typing import Annotated, Any, Self

from pydantic import (
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models.config_paths import GRID_PATHS, error_text, set_path
from models.limits import MAX_EXPERIMENT_WORK, work
from models.presets import PRESETS, PresetName, expand_preset
from models.search_spec import SearchSpec
from models.seed_rounds import MAX_SEEDS, SeedRounds
from models.spec import MERGED, JobConfig, SpecModel, field_error, located

MAX_JOBS_PER_EXPERIMENT = 500
MAX_SEED = 2**31 - 1

GridValue = str | int | float | bool | list[int] | None
SeedList = Annotated[
    list[Annotated[int, Field(ge=0, le=MAX_SEED)]], Field(min_length=1, max_length=MAX_SEEDS)
]
SEED_LIST: TypeAdapter[list[int]] = TypeAdapter(SeedList)
# Shown in the API documentation: the seed question's runs on a small subset, two seeds each.
EXAMPLES: list[JsonValue] = [
    {
        "name": "seed question, small",
        "base": {
            "dataset": {"train_size": 6000, "test_size": 2000},
            "loss": {"mode": "clipped_probabilities"},
        },
        "variants": [
            {"preprocessing": {"method": "scale", "divisor": 255}},
            {"preprocessing": {"method": "none"}},
        ],
        "seeds": [0, 1],
    },
    {"preset": "seed-question-explained", "seeds": [0, 1, 2]},
    {"name": "learning rates", "grid": {"training.learning_rate": [0.01, 0.001]}},
    {"preset": "seed-question-adaptive"},
    {
        "name": "learning rate search",
        "base": {"dataset": {"train_size": 10000}},
        "search": {
            "space": {"training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True}},
            "trials": 30,
        },
    },
]
# An experiment's name, as submitted and as renamed (PATCH /experiments/{id}).
ExperimentName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge `patch` over `base`, recursing into nested dicts; neither input is changed."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class ExperimentSpec(SpecModel):
    """What `POST /experiments` takes; one job per (distinct config, seed)."""

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES})

    preset: PresetName | None = Field(
        None, description="a named experiment; then only name, seeds and stop_early may be given"
    )
    name: ExperimentName = Field("experiment", description="a name to find it by")
    base: JobConfig = Field(
        default_factory=JobConfig, description="the config every job starts from"
    )
    grid: dict[str, Annotated[list[GridValue], Field(min_length=1, max_length=100)]] = Field(
        default_factory=dict,
        max_length=10,
        description="config paths (e.g. preprocessing.divisor) to lists of values: one config "
        "per combination",
    )
    variants: list[JobConfig] = Field(
        default_factory=list,
        max_length=100,
        description="configs merged over base, each a config of its own (then each grid point)",
    )
    seeds: SeedList | SeedRounds = Field(
        default_factory=lambda: [0],
        description="a list: one job per (config, seed); {min, max}: min seeds of every config, "
        "then more in rounds to the configs of undecided pairs, until every pair is decided or "
        "max is reached",
    )
    search: SearchSpec | None = Field(
        None,
        description="a search over ranges of base: trials sampled by Optuna, the best re-run "
        "on more seeds; then give no variants, grid or seeds",
    )

    stop_early: bool = Field(
        False,
        description="stop a job once a problem no further epoch can lift is certain "
        "(docs/adaptive.md); it ends succeeded with `stopped_early`",
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        # An unknown preset name is left to the field's own validation, which lists the names.
        # Only a string can name one: `{}` or `[]` would not even hash.
        if (
            isinstance(data, dict)
            and isinstance(data.get("preset"), str)
            and data["preset"] in PRESETS
        ):
            return expand_preset(data)
        return data

    @field_validator("grid")
    @classmethod
    def _grid_paths_and_values(
        cls, grid: dict[str, list[GridValue]], info: ValidationInfo
    ) -> dict[str, list[GridValue]]:
        base = info.data["base"].model_dump() if "base" in info.data else {}
        for path, values in grid.items():
            if path not in GRID_PATHS:
                raise ValueError(f"unknown grid path '{path}'; allowed: {', '.join(GRID_PATHS)}")
            for index, value in enumerate(values):
                config = copy.deepcopy(base)
                set_path(config, path, value)
                try:
                    JobConfig.model_validate(config)
                except ValidationError as error:
                    raise ValueError(f"grid['{path}'][{index}]: {error_text(error)}") from None
        return grid

    @field_validator("seeds", mode="before")
    @classmethod
    def _seed_list_or_rounds(cls, seeds: Any) -> list[int] | SeedRounds:
        # Told apart by type, so that an error names the field (seeds.max), not both
        # alternatives of the union.
        try:
            if isinstance(seeds, dict):
                return SeedRounds.model_validate(seeds)
            return SEED_LIST.validate_python(seeds, strict=True)
        except ValidationError as error:
            if not isinstance(seeds, list | dict):
                raise ValueError("a list of seeds, or {min, max} to add them in rounds") from None
            raise located(error, ()) from None

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int] | SeedRounds) -> list[int] | SeedRounds:
        if isinstance(seeds, list) and len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct")
        return seeds

    @field_validator("search")
    @classmethod
    def _search_space(cls, search: SearchSpec | None, info: ValidationInfo) -> SearchSpec | None:
        if search is not None and "base" in info.data:
            search.check_space(info.data["base"].model_dump())
        return search

    @model_validator(mode="after")
    def _search_alone(self) -> Self:
        if self.search is None:
            return self
        if self.variants or self.grid:
            message = "a search varies base alone: give no variants or grid beside it"
            raise field_error("ExperimentSpec", ("search",), message, None)
        if "seeds" in self.model_fields_set:
            message = "a search's seeds are 0 to seeds_per_trial - 1: give no seeds beside it"
            raise field_error("ExperimentSpec", ("seeds",), message, None)
        return self

    @model_validator(mode="after")
    def _expansion_fits(self) -> Self:
        size = self.expansion_size()
        if size > MAX_JOBS_PER_EXPERIMENT:
            message = (
                f"the experiment expands to {size} jobs ({self._counted()}); "
                f"at most {MAX_JOBS_PER_EXPERIMENT} are allowed"
            )
            raise field_error("ExperimentSpec", self._limited_field(), message, size)
        # A merged variant or grid point can still break a cross-field rule: expanding checks.
        total = self.work()
        if total > MAX_EXPERIMENT_WORK:
            message = (
                f"the experiment asks for {total:.3g} units of work (jobs x (epochs + 1) x "
                f"train_size x parameters); at most {MAX_EXPERIMENT_WORK:.3g} are allowed: use "
                f"fewer jobs, epochs, training images or units"
            )
            raise field_error("ExperimentSpec", self._limited_field(), message, total)
        return self

    def _limited_field(self) -> tuple[str, ...]:
        """The field that sets the experiment's size: a search's trials, the rounds' max."""
        if self.search is not None:
            return ("search", "trials")
        return ("seeds", "max") if isinstance(self.seeds, SeedRounds) else ()

    def _counted(self) -> str:
        if self.search is not None:
            return "trials x seeds_per_trial, and the finalists' extra seeds"
        rounds = isinstance(self.seeds, SeedRounds)
        return f"variants x grid x {'seeds.max' if rounds else 'seeds'}"

    def most_seeds(self) -> int:
        """Seeds a config may run at most: the list's, or the rounds' max."""
        return self.seeds.max if isinstance(self.seeds, SeedRounds) else len(self.seeds)

    def first_seeds(self) -> list[int]:
        """The seeds every config runs first: the list, or 0 to min - 1 (a search's trials:
        0 to seeds_per_trial - 1)."""
        if self.search is not None:
            return list(range(self.search.seeds_per_trial))
        return list(range(self.seeds.min)) if isinstance(self.seeds, SeedRounds) else self.seeds

    def expansion_size(self) -> int:
        """Jobs the experiment may run at most (before duplicates are removed), computed
        without expanding."""
        if self.search is not None:
            return self.search.max_jobs()
        grid_points = math.prod(len(values) for values in self.grid.values())
        return max(1, len(self.variants)) * grid_points * self.most_seeds()

    def work(self) -> float:
        """The work of every job the experiment may run."""
        if self.search is not None:
            heaviest = self.search.heaviest(self.base.model_dump())
            return work(heaviest) * self.search.max_jobs()
        return sum(work(config) for config in self.configs()) * self.most_seeds()

    def configs(self) -> list[JobConfig]:
        """The distinct resolved configs: each variant merged over base, then each grid point."""
        base = self.base.model_dump()
        patches = [variant.model_dump(exclude_unset=True) for variant in self.variants] or [{}]
        configs: dict[str, JobConfig] = {}
        for number, patch in enumerate(patches):
            for point in itertools.product(*self.grid.values()):
                merged = deep_merge(base, patch)
                for path, value in zip(self.grid, point, strict=True):
                    set_path(merged, path, value)
                where = f"variants[{number}]" if self.variants else "base"
                config = _validate_merged(merged, where, dict(zip(self.grid, point, strict=True)))
                configs.setdefault(config.model_dump_json(), config)
        return list(configs.values())

    def expand(self) -> list[tuple[JobConfig, int]]:
        """One (config, seed) pair per job of the first round (the only one, for a list of
        seeds), configs in order, seeds innermost; a search's trials are sampled instead."""
        return [(config, seed) for config in self.configs() for seed in self.first_seeds()]


def _validate_merged(merged: dict[str, Any], where: str, point: dict[str, Any]) -> JobConfig:
    where += f" with grid point {point}" if point else ""
    try:
        return JobConfig.model_validate(merged, context={MERGED: True}).resolved()
    except ValidationError as error:
        raise ValueError(f"{where}: {error_text(error)}") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
