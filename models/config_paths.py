"""Dotted paths into a job config (`training.learning_rate`): which there are, of what kind,
and setting one; what grids and searches name."""

import copy
from typing import Any, Literal, get_args

from pydantic import ValidationError

from models.spec import MERGED, JobConfig, SpecModel

PathKind = Literal["int", "float", "other"]


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


def path_kind(path: str) -> PathKind:
    """Whether a path holds an int, a float (optional or not), or anything else."""
    section, leaf = path.split(".")
    model = JobConfig.model_fields[section].annotation
    assert isinstance(model, type)
    assert issubclass(model, SpecModel)
    annotation = model.model_fields[leaf].annotation
    kinds = {kind for kind in get_args(annotation) or (annotation,) if kind is not type(None)}
    if kinds == {int}:
        return "int"
    return "float" if kinds == {float} else "other"


def set_path(config: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a nested config dict, creating sections as needed."""
    *sections, leaf = path.split(".")
    for section in sections:
        config = config.setdefault(section, {})
    config[leaf] = value


def error_text(error: ValidationError) -> str:
    """A validation error's items on one line: `training.learning_rate: Input should be ...`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
    )


def with_values(base: dict[str, Any], values: dict[str, Any]) -> JobConfig:
    """The resolved config of `base` with each path set to its value; a ValueError says what
    the values break."""
    config = copy.deepcopy(base)
    for path, value in values.items():
        set_path(config, path, value)
    try:
        return JobConfig.model_validate(config, context={MERGED: True}).resolved()
    except ValidationError as error:
        raise ValueError(error_text(error)) from None
