"""The HTTP shape of `GET /experiments/{id}/report`."""

from typing import Any

from pydantic import BaseModel, Field

from analysis.report.followups import FollowUp
from analysis.report.statistics import Summary
from models.condition import ConditionOut


class Interval(BaseModel):
    """Mean over seeds with its 95% Student t interval; std and interval need n >= 2."""

    n: int = Field(description="seeds measured")
    mean: float = Field(description="mean over the seeds")
    std: float | None = Field(description="sample standard deviation; null for one seed")
    ci_low: float | None = Field(description="lower end of the 95% interval of the mean")
    ci_high: float | None = Field(description="upper end of the 95% interval of the mean")

    @classmethod
    def of(cls, summary: Summary | None) -> "Interval | None":
        """From a statistics summary."""
        return None if summary is None else cls(**summary.__dict__)


class CurvePoint(BaseModel):
    """One epoch of a config, its seeds folded together."""

    epoch: int = Field(description="the epoch (0: before training)")
    loss: Interval | None = Field(description="train loss over the seeds")
    test_loss: Interval | None = Field(description="test loss over the seeds")
    test_accuracy: Interval | None = Field(description="test accuracy over the seeds")


class ConfigConditionOut(ConditionOut):
    """A condition as it held across a config's seeds: the earliest epoch over them, the first
    seed's statement and evidence (see docs/diagnosis.md)."""

    seeds: int = Field(description="how many of the config's measured seeds show it")
    of: int = Field(description="the config's measured seeds")


class ConfigRow(BaseModel):
    """One distinct config: its seeds' final figures, its conditions and per-epoch curves."""

    key: str = Field(
        description="hash of the resolved config: equal for jobs that differ only by seed"
    )
    label: str = Field(description="names only what varies across the experiment")
    config: dict[str, Any] = Field(description="the resolved config")
    job_ids: list[int] = Field(description="its jobs, every seed")
    seeds: list[int] = Field(description="seeds of the jobs that succeeded")
    learned: bool | None = Field(description="whether most seeds learned; null before any epoch")
    final_loss: Interval | None = Field(description="last epoch's train loss over the seeds")
    final_accuracy: Interval | None = Field(
        description="last epoch's train accuracy over the seeds"
    )
    final_test_loss: Interval | None = Field(description="last epoch's test loss over the seeds")
    final_test_accuracy: Interval | None = Field(
        description="last epoch's test accuracy over the seeds"
    )
    stuck_seeds: int = Field(description="seeds whose loss stayed near chance")
    stopped_early_seeds: int = Field(
        0, description="seeds stopped once their failure was certain (spec `stop_early`)"
    )
    conditions: list[ConfigConditionOut] = Field(description="the conditions its seeds showed")
    curve: list[CurvePoint] = Field(description="per epoch, over the seeds")


class ComparisonRow(BaseModel):
    """Config `a` against config `b` on the report's metric (a - b); `b` is the better by mean."""

    a: str = Field(description="label of the config compared")
    b: str = Field(description="label of the config it is compared against (the better by mean)")
    factors: list[str] = Field(description="the factors the two configs differ in")
    metric: str = Field(description="the figure compared")
    verdict: str = Field(description="different, equivalent, undecided or untestable")
    test: str | None = Field(description="the test used: paired t (same seeds) or Welch t")
    n: int | None = Field(description="seeds (pairs for the paired test)")
    difference: float | None = Field(description="mean of a minus mean of b")
    ci_low: float | None = Field(description="95% interval, corrected for the comparisons")
    ci_high: float | None = Field(description="upper end of the corrected 95% interval")
    comparisons: int | None = Field(description="tested comparisons the correction covers")
    p: float | None = Field(description="two-sided p value of the difference")
    p_adjusted: float | None = Field(description="Bonferroni: p times the comparisons, at most 1")
    margin: float = Field(description="the equivalence margin")
    seeds_needed: int | None = Field(
        description="undecided: seeds that would resolve a difference of the observed size"
    )
    note: str | None = Field(description="why a pair could not be tested")


class FindingOut(BaseModel):
    """A statement about one compared pair, with the numbers behind it."""

    id: str = Field(description="a stable name for the finding")
    a: str = Field(description="label of one config")
    b: str = Field(description="label of the other")
    verdict: str = Field(description="different, equivalent, undecided or untestable")
    statement: str = Field(description="the finding in plain words, with its numbers")
    evidence: dict[str, Any] = Field(description="the numbers behind it")


class RoundOut(BaseModel):
    """One round of an adaptive experiment: what it had once the round's jobs were added."""

    round: int = Field(description="1 for the jobs it was submitted with")
    seeds: dict[str, int] | None = Field(
        None, description="seeds until decided: each config's seeds after the round, by label"
    )
    trials: int | None = Field(None, description="a search: trials asked after the round")
    finalists: list[str] | None = Field(
        None, description="a search's last round: the best trials' configs, run on more seeds"
    )


class RoundsOut(BaseModel):
    """How an adaptive experiment added its jobs, and why it stopped."""

    looks: int | None = Field(description="seeds until decided: the most looks its design allows")
    level: float | None = Field(
        description="seeds until decided: each pair's two-sided test level at each look, "
        "0.05 / (looks x pairs of configs)"
    )
    rounds: list[RoundOut] = Field(description="each round, in order")
    stopped: str | None = Field(
        description="decided, max_seeds, searched or cancelled; null while it may add more"
    )


class TrialOut(BaseModel):
    """One trial of a search."""

    number: int = Field(description="Optuna's trial number, from 0")
    label: str = Field(description="its config's label")
    params: dict[str, Any] = Field(description="its values of the searched paths")
    state: str = Field(description="complete, pruned, running or fail")
    value: float | None = Field(
        description="mean final metric over its seeds once complete; a pruned trial's at the "
        "epoch it was stopped after"
    )
    pruned_at: int | None = Field(description="the epoch the pruner stopped it after")
    problems: list[str] = Field(description="problem conditions most of its seeds show")


class FinalistOut(BaseModel):
    """A config the search ran again on more seeds, with its spread over all its seeds."""

    label: str = Field(description="its config's label")
    params: dict[str, Any] = Field(description="its values of the searched paths")
    final: Interval | None = Field(description="the metric's final figure over its seeds")


class SearchOut(BaseModel):
    """A search's answer: its trials, the winner among the finalists, the parameters'
    importance and where in the space each problem condition appears."""

    metric: str = Field(description="the final figure the search optimises")
    trials: list[TrialOut] = Field(description="every trial, in order")
    best: FinalistOut | None = Field(
        description="the best config: among the finalists once they ran, else the best trial"
    )
    finalists: list[FinalistOut] = Field(description="the best trials, run on more seeds")
    importances: dict[str, float] = Field(
        description="each searched path's importance (Optuna's PED-ANOVA), summing to 1"
    )
    regions: list[str] = Field(description="where in the space each problem condition appears")


class Report(BaseModel):
    """What the experiment's jobs measured, per config, compared in pairs, and explained."""

    experiment_id: int = Field(description="the experiment reported on")
    name: str = Field(description="its name")
    status: str = Field(description="its status now")
    provisional: bool = Field(
        description="true while any job is queued or running: the answer may still change"
    )
    summary: list[str] = Field(description="the answer, in a few plain sentences")
    chance_loss: float = Field(description="ln 10: the loss of a uniform guess over 10 classes")
    metric: str = Field(description="the final figure configs are compared on")
    margin: float = Field(description="the equivalence margin on that metric")
    best: str | None = Field(description="label of the config with the best mean on the metric")
    configs: list[ConfigRow] = Field(description="one row per distinct config")
    comparisons: list[ComparisonRow] = Field(
        description="pairs of configs that differ in one factor"
    )
    findings: list[FindingOut] = Field(description="one statement per compared pair")
    follow_ups: list[FollowUp] = Field(description="experiments that would test an explanation")
    rounds: RoundsOut | None = Field(
        None, description="an adaptive experiment's rounds; null for any other"
    )
    search: SearchOut | None = Field(None, description="a search's answer; null for any other")
