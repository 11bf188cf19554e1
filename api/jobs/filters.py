"""The filter and sort grammar of `GET /jobs`, parsed from the raw query string.

A filter is `FIELD OP VALUE` where OP is one of `=`, `!=`, `<`, `<=`, `>`, `>=`; `=` and `!=`
take a comma-separated list (`preprocessing.method=none,scale` matches either). FIELD is:
- a config path, with or without `config.`: `preprocessing.method`, `training.learning_rate`;
- `result.loss`, `result.accuracy`, `result.test_loss`, `result.test_accuracy`;
- `summary.<name>` for the learning-curve summary (`summary.best_test_loss`, `summary.stuck`);
- `id`, `experiment_id`, `seed`, `status`, `created_at` (ISO 8601).
Filters combine with AND; a list gives OR within one field. `sort=FIELD` (and `desc=true`)
orders by any of these fields, empty values last, ties by id.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from api.core.errors import InvalidInput
from api.core.inputs import storable
from models.config_paths import GRID_PATHS
from models.job import CURVE_SUMMARY_COLUMNS, FINAL_COLUMNS, Job, JobStatus
from models.spec import JobConfig

OPERATORS = ("<=", ">=", "!=", "=", "<", ">")
EXPRESSION = re.compile(
    r"^(?P<field>[A-Za-z_][A-Za-z0-9_.]*)(?P<op><=|>=|!=|=|<|>)(?P<value>.*)$", re.DOTALL
)
# Query parameters with their own meaning; everything else is a filter expression.
RESERVED = {
    "limit",
    "cursor",
    "sort",
    "desc",
    "status",
    "experiment_id",
    "stuck",
    "diverged",
    "condition",
}
# Bounds on one query: each filter adds to the SQL expression tree, whose depth SQLite caps.
MAX_FILTERS = 50
MAX_VALUES = 100


class InvalidFilter(InvalidInput):
    """A filter or sort that the grammar does not allow, named as the query string wrote it
    (`query.result.test_loss`; `query` alone for the query as a whole)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__({f"query.{name}" if name else "query": message})


@dataclass(frozen=True)
class Field:
    """A filterable field: its SQL expression and how to read a value for it from text."""

    name: str
    expression: SQLColumnExpression[Any]
    parse: Callable[[str], Any]
    ordered: bool = True


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError("expected true or false")
    return text.lower() == "true"


def finite(text: str) -> float:
    """A number read from text; NaN and infinities compare with nothing, so they are refused."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("expected a finite number")
    return number


def _status(text: str) -> str:
    return JobStatus(text).value


def _config_field(path: str) -> Field:
    section, leaf = path.split(".")
    annotation = JobConfig.model_fields[section].annotation.model_fields[leaf].annotation  # type: ignore[union-attr]
    value = Job.config[(section, leaf)]
    if "float" in str(annotation):
        return Field(path, value.as_float(), finite)
    if annotation is int:
        return Field(path, value.as_integer(), int)
    return Field(path, value.as_string(), str)


def _column_field(name: str, column: InstrumentedAttribute[Any]) -> Field:
    kind = column.type.python_type
    if kind is bool:  # yes or no: compared for equality only
        return Field(name, column, _boolean, ordered=False)
    return Field(name, column, finite if kind is float else kind)


def _fields() -> dict[str, Field]:
    fields = {path: _config_field(path) for path in GRID_PATHS if path != "model.hidden_layers"}
    fields |= {f"config.{path}": field for path, field in fields.items()}
    for name, column in FINAL_COLUMNS.items():
        fields[f"result.{name}"] = Field(f"result.{name}", getattr(Job, column), finite)
    for name in CURVE_SUMMARY_COLUMNS:
        fields[f"summary.{name}"] = _column_field(f"summary.{name}", getattr(Job, name))
    fields |= {
        "id": Field("id", Job.id, int),
        "experiment_id": Field("experiment_id", Job.experiment_id, int),
        "seed": Field("seed", Job.seed, int),
        "status": Field("status", Job.status, _status),
        "created_at": Field("created_at", Job.created_at, datetime.fromisoformat),
    }
    return fields


FIELDS = _fields()


ALLOWED = ", ".join(sorted(name for name in FIELDS if not name.startswith("config.")))
SORTABLE = ", ".join(
    sorted(name for name, f in FIELDS.items() if f.ordered and not name.startswith("config."))
)


def field(name: str) -> Field:
    """The field of this name, or a 422 that lists the allowed names."""
    if name not in FIELDS:
        raise InvalidFilter(name, f"not a filterable field; allowed: {ALLOWED}")
    return FIELDS[name]


# Ids, seeds and every other integer field are 32-bit columns in each database.
INT_RANGE = range(-(2**31), 2**31)


def value(target: Field, text: str) -> Any:
    """One value for a field, read from text; ValueError if it cannot be."""
    value = target.parse(storable(text))
    if isinstance(value, int) and not isinstance(value, bool) and value not in INT_RANGE:
        raise ValueError("outside the 32-bit integer range")
    return value


def cursor_value(target: Field, raw: object) -> Any:
    """A sort value read back from a page cursor; ValueError unless the field could hold it."""
    if raw is None or isinstance(raw, str):
        return raw if raw is None else value(target, raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError("not a value of this field")
    if target.parse is finite and math.isfinite(raw):
        return float(raw)
    if target.parse is int and isinstance(raw, int) and raw in INT_RANGE:
        return raw
    raise ValueError("not a value of this field")


def _values(target: Field, raw: str) -> list[Any]:
    parts = raw.split(",")
    if len(parts) > MAX_VALUES:
        raise InvalidFilter(target.name, f"at most {MAX_VALUES} values in one list")
    try:
        return [value(target, part) for part in parts]
    except ValueError as error:
        raise InvalidFilter(target.name, f"cannot read {raw!r} ({error})") from None


def condition(name: str, op: str, raw: str) -> ColumnElement[bool]:
    """The SQL condition of one filter expression."""
    target = field(name)
    values = _values(target, raw)
    column = target.expression
    if op in ("=", "!="):
        matched = column.in_(values)
        return matched if op == "=" else or_(~matched, column.is_(None))
    if len(values) != 1 or not target.ordered:
        raise InvalidFilter(name, f"{op} takes one value and an ordered field")
    comparisons: dict[str, ColumnElement[bool]] = {
        "<": column < values[0],
        "<=": column <= values[0],
        ">": column > values[0],
        ">=": column >= values[0],
    }
    return comparisons[op]


def parse(raw_query: str) -> ColumnElement[bool] | None:
    """All filter expressions of a query string, combined with AND; None without any."""
    conditions = []
    for part in filter(None, raw_query.split("&")):
        text = unquote_plus(part)
        match = EXPRESSION.match(text)
        if match is None:
            raise InvalidFilter(text, f"not FIELD OP VALUE with OP one of {' '.join(OPERATORS)}")
        if match["field"] in RESERVED and match["op"] == "=":
            continue
        conditions.append(condition(match["field"], match["op"], match["value"]))
        if len(conditions) > MAX_FILTERS:
            raise InvalidFilter("", f"at most {MAX_FILTERS} filter items in one query")
    return and_(*conditions) if conditions else None


def sortable(name: str) -> Field:
    """The field to sort by; it must be ordered (not a yes/no field)."""
    target = FIELDS.get(name)
    if target is None or not target.ordered:
        raise InvalidFilter("sort", f"{name!r} cannot be sorted; allowed: {SORTABLE}")
    return target
