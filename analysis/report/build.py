"""Assemble the report from an experiment's stored rows."""

import math
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy.orm import Session

from analysis.report.comparisons import (
    DEFAULT_MARGINS,
    DEFAULT_METRIC,
    Metric,
    PairComparison,
    best_group,
    compare_all,
)
from analysis.report.findings import pair_finding
from analysis.report.followups import follow_ups
from analysis.report.groups import ConfigGroup, group_jobs
from analysis.report.records import load_records
from analysis.report.schemas import (
    ComparisonRow,
    ConfigConditionOut,
    ConfigRow,
    CurvePoint,
    FindingOut,
    Interval,
    Report,
)
from analysis.report.statistics import Verdict, summarize
from analysis.report.summary import summary
from models.experiment import Experiment
from models.limits import CHANCE_LOSS


def _interval(values: list[float]) -> Interval | None:
    finite = [v for v in values if math.isfinite(v)]
    return Interval.of(summarize(finite)) if finite else None


def curve(group: ConfigGroup) -> list[CurvePoint]:
    """Per-epoch mean and interval over the seeds that succeeded."""
    if not group.jobs:
        return []
    return [
        CurvePoint(
            epoch=epoch,
            loss=_interval(group.epoch_values(epoch, "loss")),
            test_loss=_interval(group.epoch_values(epoch, "test_loss")),
            test_accuracy=_interval(group.epoch_values(epoch, "test_accuracy")),
        )
        for epoch in range(group.last_epoch + 1)
    ]


def config_row(group: ConfigGroup) -> ConfigRow:
    """A group's final figures, its conditions and its per-epoch mean curves."""
    finals = {f"final_{m}": Interval.of(group.final_summary(m)) for m in Metric}
    return ConfigRow(
        key=group.key,
        label=group.label,
        config=group.config,
        job_ids=group.job_ids,
        seeds=sorted(job.seed for job in group.jobs),
        learned=group.learned(),
        stuck_seeds=sum(1 for job in group.jobs if job.stuck),
        conditions=[ConfigConditionOut(**asdict(c)) for c in group.conditions()],
        curve=curve(group),
        **finals,
    )


def comparison_row(item: PairComparison) -> ComparisonRow:
    """One compared pair, with its corrected interval and verdict."""
    j = item.judgement
    d = j.difference if j else None
    return ComparisonRow(
        a=item.a.label,
        b=item.b.label,
        factors=item.factors,
        metric=item.metric,
        verdict=j.verdict if j else Verdict.UNTESTABLE,
        test=d.test if d else None,
        n=d.n if d else None,
        difference=d.difference if d else None,
        ci_low=j.ci_low if j else None,
        ci_high=j.ci_high if j else None,
        comparisons=j.comparisons if j else None,
        p=j.p if j else None,
        p_adjusted=j.p_adjusted if j else None,
        margin=j.margin if j else 0.0,
        seeds_needed=j.seeds_needed if j else None,
        note=item.note,
    )


def build_report(
    session: Session,
    experiment: Experiment,
    status: str,
    *,
    metric: Metric = DEFAULT_METRIC,
    margin: float | None = None,
) -> Report:
    """The report of one experiment on one metric, from its jobs, epochs and conditions."""
    groups = group_jobs(load_records(session, experiment.id))
    return report_of(
        groups,
        experiment_id=experiment.id,
        name=experiment.name,
        status=status,
        metric=metric,
        margin=margin,
    )


def report_of(
    groups: Sequence[ConfigGroup],
    *,
    experiment_id: int,
    name: str,
    status: str,
    metric: Metric = DEFAULT_METRIC,
    margin: float | None = None,
) -> Report:
    """The report of config groups on one metric (one experiment's, or two side by side)."""
    margin = DEFAULT_MARGINS[metric] if margin is None else margin
    comparisons = compare_all(groups, metric, margin)
    best = best_group(groups, metric)
    return Report(
        experiment_id=experiment_id,
        name=name,
        status=status,
        summary=summary(groups, comparisons, metric),
        chance_loss=CHANCE_LOSS,
        metric=metric,
        margin=margin,
        best=best.label if best else None,
        configs=[config_row(group) for group in groups],
        comparisons=[comparison_row(item) for item in comparisons],
        findings=[
            FindingOut(**asdict(pair_finding(i, item)))
            for i, item in enumerate(comparisons, start=1)
        ],
        follow_ups=follow_ups(groups),
    )
