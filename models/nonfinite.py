"""Non-finite figures in SQL: the value column holds NULL (JSON has no NaN, SQLite turns NaN
into NULL) and a flag column beside it says which non-finite value it was, so the analysis can
read back exactly what the worker measured."""

import math

NAN, INFINITY, NEGATIVE_INFINITY = "nan", "inf", "-inf"
FLAGS = (NAN, INFINITY, NEGATIVE_INFINITY)
FLAG_LENGTH = 4


def finite(value: float | None) -> float | None:
    """The value if it is a finite number, else None (for JSON, which has no NaN)."""
    return value if value is not None and math.isfinite(value) else None


def stored(value: float) -> tuple[float | None, str | None]:
    """A figure as two columns: (the value, None) if finite, else (None, its flag)."""
    if math.isfinite(value):
        return value, None
    if math.isnan(value):
        return None, NAN
    return None, INFINITY if value > 0 else NEGATIVE_INFINITY


def restored(value: float | None, flag: str | None) -> float:
    """The figure the two columns hold; NaN for a NULL without a flag (rows from before it)."""
    if value is not None:
        return value
    return float(flag) if flag in FLAGS else math.nan
