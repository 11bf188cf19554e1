"""An experiment: a base config, a grid and variants over it, and seeds; it expands to jobs."""

import copy
import itertools
import math
from typing import Annotated, Any, Self

from pydantic import (
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models.limits import MAX_EXPERIMENT_WORK, work
from models.presets import PRESETS, PresetName, expand_preset
from models.spec import MERGED, JobConfig, SpecModel

MAX_JOBS_PER_EXPERIMENT = 500
MAX_SEED = 2**31 - 1

GridValue = str | int | float | bool | list[int] | None
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
]
# An experiment's name, as submitted and as renamed (PATCH /experiments/{id}).
ExperimentName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def config_paths(model: type[SpecModel] = JobConfig, prefix: str = "") -> list[str]:
    """Every dotted path to a leaf field of a config, e.g. `preprocessing.divisor`."""
    paths: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, SpecModel):
            paths.extend(config_paths(annotation, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


GRID_PATHS = tuple(config_paths())


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge `patch` over `base`, recursing into nested dicts; neither input is changed."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def set_path(config: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a nested config dict, creating sections as needed."""
    *sections, leaf = path.split(".")
    for section in sections:
        config = config.setdefault(section, {})
    config[leaf] = value


def _error_text(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
    )


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
    seeds: list[Annotated[int, Field(ge=0, le=MAX_SEED)]] = Field(
        default_factory=lambda: [0],
        min_length=1,
        max_length=100,
        description="one job per (config, seed)",
    )

    stop_early: bool = Field(
        False,
        description="stop a job once a problem no further epoch can lift is certain (README, "
        "Reading a diagnosis); it ends succeeded with `stopped_early`",
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
                    raise ValueError(f"grid['{path}'][{index}]: {_error_text(error)}") from None
        return grid

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int]) -> list[int]:
        if len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct")
        return seeds

    @model_validator(mode="after")
    def _expansion_fits(self) -> Self:
        size = self.expansion_size()
        if size > MAX_JOBS_PER_EXPERIMENT:
            raise ValueError(
                f"the experiment expands to {size} jobs (variants x grid x seeds); "
                f"at most {MAX_JOBS_PER_EXPERIMENT} are allowed"
            )
        # A merged variant or grid point can still break a cross-field rule: expanding checks.
        total = sum(work(config) for config in self.configs()) * len(self.seeds)
        if total > MAX_EXPERIMENT_WORK:
            raise ValueError(
                f"the experiment asks for {total:.3g} units of work (jobs x (epochs + 1) x "
                f"train_size x parameters); at most {MAX_EXPERIMENT_WORK:.3g} are allowed: use "
                f"fewer jobs, epochs, training images or units"
            )
        return self

    def expansion_size(self) -> int:
        """Number of jobs before duplicates are removed, computed without expanding."""
        grid_points = math.prod(len(values) for values in self.grid.values())
        return max(1, len(self.variants)) * grid_points * len(self.seeds)

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
        """One (config, seed) pair per job, configs in order, seeds innermost."""
        return [(config, seed) for config in self.configs() for seed in self.seeds]


def _validate_merged(merged: dict[str, Any], where: str, point: dict[str, Any]) -> JobConfig:
    where += f" with grid point {point}" if point else ""
    try:
        return JobConfig.model_validate(merged, context={MERGED: True}).resolved()
    except ValidationError as error:
        raise ValueError(f"{where}: {_error_text(error)}") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
