"""A condition as the diagnosis derives it, and the helpers its rules share."""

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from analysis.epochs import EpochResult
from models.condition import JOB_SUBJECT, ConditionKind, ConditionName
from models.nonfinite import finite


@dataclass(frozen=True)
class Condition:
    """One condition of a job: what, about which layer, since when, in words and in numbers."""

    name: ConditionName
    kind: ConditionKind
    epoch: int
    statement: str
    evidence: dict[str, Any]
    subject: str = JOB_SUBJECT
    # The condition this one follows from (analysis.conditions.causes); None for a root cause.
    caused_by: ConditionName | None = None

    def columns(self) -> dict[str, Any]:
        """The condition as column values of the job_conditions table."""
        return asdict(self)


def measured(epoch: EpochResult, name: str) -> float | None:
    """A diagnostic of the epoch, or None when it was not measured or is not finite."""
    return finite(epoch.diagnostics.get(name))


def trained(epochs: Sequence[EpochResult]) -> list[EpochResult]:
    """The epochs after at least one training step (every epoch but 0)."""
    return [e for e in epochs if e.epoch > 0]


def held_since(epochs: Sequence[EpochResult], holds: Callable[[EpochResult], bool]) -> int | None:
    """The first epoch of the unbroken run of epochs, ending at the last, in which `holds`
    is true; None when it does not hold at the last epoch."""
    since = None
    for epoch in reversed(epochs):
        if not holds(epoch):
            break
        since = epoch.epoch
    return since


Value = float | None
Values = Mapping[str, Value | Sequence[Value]]


def evidence(values: Values, thresholds: dict[str, float], epochs: Sequence[int]) -> dict[str, Any]:
    """The evidence of a condition: diagnostic values (one, or one per epoch of `epochs`), the
    thresholds they were held against, and the epochs; NaN and infinity become null."""
    shown = {
        name: [finite(v) for v in value] if isinstance(value, Sequence) else finite(value)
        for name, value in values.items()
    }
    return {"values": shown, "thresholds": thresholds, "epochs": list(epochs)}


def number(value: float) -> str:
    """A figure as a statement prints it: three significant digits, plain or scientific."""
    if not math.isfinite(value):
        return str(value).replace("nan", "NaN").replace("inf", "infinity")
    return f"{value:.3g}" if 1e-3 <= abs(value) < 1e5 or value == 0 else f"{value:.2e}"
