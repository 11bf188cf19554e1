"""The HTTP shape of `GET /experiments/{id}/report`."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.report.comparisons import DEFAULT_METRIC, Metric
from api.report.followups import FollowUp
from api.report.statistics import Summary


class ReportQuery(BaseModel):
    """The report's query parameters; any other is refused."""

    model_config = ConfigDict(extra="forbid")

    metric: Metric = Field(DEFAULT_METRIC, description="the final figure configs are compared on")
    margin: float | None = Field(
        None,
        gt=0,
        le=100,
        description="equivalence margin on the metric (default 0.01 for losses, 0.005 for "
        "accuracies)",
    )


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


class ConditionOut(BaseModel):
    """A condition as it held across a config's seeds (see README "Reading a diagnosis")."""

    name: str
    subject: str = Field(description='the layer it is about, or "job"')
    kind: str = Field(description="problem or note")
    seeds: int = Field(description="how many of the config's measured seeds show it")
    of: int = Field(description="the config's measured seeds")
    epoch: int = Field(description="the first epoch it held, over the seeds")
    statement: str = Field(description="the first seed's statement, with its numbers")
    evidence: dict[str, Any]


class ConfigRow(BaseModel):
    """One distinct config: its seeds' final figures, its conditions and per-epoch curves."""

    key: str
    label: str = Field(description="names only what varies across the experiment")
    config: dict[str, Any]
    job_ids: list[int]
    seeds: list[int] = Field(description="seeds of the jobs that succeeded")
    learned: bool | None = Field(description="whether most seeds learned; null before any epoch")
    final_loss: Interval | None
    final_accuracy: Interval | None
    final_test_loss: Interval | None
    final_test_accuracy: Interval | None
    stuck_seeds: int
    conditions: list[ConditionOut]
    curve: list[CurvePoint]


class ComparisonRow(BaseModel):
    """Config `a` against config `b` on the report's metric (a - b); `b` is the better by mean."""

    a: str
    b: str
    factors: list[str] = Field(description="the factors the two configs differ in")
    metric: str
    verdict: str = Field(description="different, equivalent, undecided or untestable")
    test: str | None
    n: int | None = Field(description="seeds (pairs for the paired test)")
    difference: float | None
    ci_low: float | None = Field(description="95% interval, corrected for the comparisons")
    ci_high: float | None
    comparisons: int | None = Field(description="tested comparisons the correction covers")
    p: float | None
    p_adjusted: float | None = Field(description="Bonferroni: p times the comparisons, at most 1")
    margin: float
    seeds_needed: int | None = Field(
        description="undecided: seeds that would resolve a difference of the observed size"
    )
    note: str | None


class FindingOut(BaseModel):
    """A statement about one compared pair, with the numbers behind it."""

    id: str
    a: str
    b: str
    verdict: str
    statement: str
    evidence: dict[str, Any]


class Report(BaseModel):
    """What the experiment's jobs measured, per config, compared in pairs, and explained."""

    experiment_id: int
    name: str
    status: str
    summary: list[str] = Field(description="the answer, in a few plain sentences")
    chance_loss: float
    metric: str = Field(description="the final figure configs are compared on")
    margin: float = Field(description="the equivalence margin on that metric")
    best: str | None = Field(description="label of the config with the best mean on the metric")
    configs: list[ConfigRow]
    comparisons: list[ComparisonRow]
    findings: list[FindingOut]
    follow_ups: list[FollowUp]
