"""The HTTP shape of `GET /experiments/{id}/report`."""

from typing import Any

from pydantic import BaseModel, Field

from api.report.statistics import Summary


class Interval(BaseModel):
    """Mean over seeds with its 95% Student t interval; std and interval need n >= 2."""

    n: int
    mean: float
    std: float | None
    ci_low: float | None
    ci_high: float | None

    @classmethod
    def of(cls, summary: Summary | None) -> "Interval | None":
        """From a statistics summary."""
        return None if summary is None else cls(**summary.__dict__)


class CurvePoint(BaseModel):
    """One epoch of a config, its seeds folded together."""

    epoch: int
    loss: Interval | None
    test_loss: Interval | None
    test_accuracy: Interval | None


class ConfigRow(BaseModel):
    """One distinct config: its seeds' final figures and per-epoch curves."""

    key: str
    label: str
    config: dict[str, Any]
    job_ids: list[int]
    seeds: list[int] = Field(description="seeds of the jobs that succeeded")
    final_loss: Interval | None
    final_test_loss: Interval | None
    final_test_accuracy: Interval | None
    stuck_seeds: int
    curve: list[CurvePoint]


class ComparisonRow(BaseModel):
    """A config against the best one on final test loss (config minus best)."""

    key: str
    label: str
    against: str
    n: int
    test: str | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    p_holm: float | None
    effect_size: float | None
    note: str | None


class FindingOut(BaseModel):
    """A statement triggered by the data, with the numbers that triggered it."""

    id: str
    question: str
    statement: str
    evidence: dict[str, Any]


class Report(BaseModel):
    """What the experiment's jobs measured, per config, compared, and explained."""

    experiment_id: int
    name: str
    status: str
    chance_loss: float
    metric: str = Field(description="the figure configs are compared on")
    best: str | None = Field(description="label of the config with the lowest mean test loss")
    configs: list[ConfigRow]
    comparisons: list[ComparisonRow]
    findings: list[FindingOut]
