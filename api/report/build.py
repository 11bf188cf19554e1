"""Assemble the report from an experiment's stored rows."""

import math

from sqlalchemy.orm import Session

from api.report.comparisons import METRIC, GroupComparison, best_group, compare_all
from api.report.findings import all_findings
from api.report.groups import ConfigGroup, group_jobs
from api.report.records import load_records
from api.report.schemas import ComparisonRow, ConfigRow, CurvePoint, FindingOut, Interval, Report
from api.report.statistics import summarize
from models.experiment import Experiment


def _interval(values: list[float]) -> Interval | None:
    finite = [v for v in values if math.isfinite(v)]
    return Interval.of(summarize(finite)) if finite else None


def config_row(group: ConfigGroup) -> ConfigRow:
    """A group's final figures and its per-epoch mean curves."""
    curve = (
        [
            CurvePoint(
                epoch=epoch,
                loss=_interval(group.epoch_values(epoch, "loss")),
                test_loss=_interval(group.epoch_values(epoch, "test_loss")),
                test_accuracy=_interval(group.epoch_values(epoch, "test_accuracy")),
            )
            for epoch in range(group.last_epoch + 1)
        ]
        if group.jobs
        else []
    )
    return ConfigRow(
        key=group.key,
        label=group.label,
        config=group.config,
        job_ids=group.job_ids,
        seeds=sorted(job.seed for job in group.jobs),
        final_loss=Interval.of(group.final_summary("loss")),
        final_test_loss=Interval.of(group.final_summary("test_loss")),
        final_test_accuracy=Interval.of(group.final_summary("test_accuracy")),
        stuck_seeds=sum(1 for job in group.jobs if job.stuck),
        curve=curve,
    )


def comparison_row(item: GroupComparison) -> ComparisonRow:
    """One comparison against the best config."""
    c = item.comparison
    return ComparisonRow(
        key=item.group.key,
        label=item.group.label,
        against=item.best.label,
        n=item.n,
        test=c.test if c else None,
        difference=c.difference if c else None,
        ci_low=c.ci_low if c else None,
        ci_high=c.ci_high if c else None,
        p=c.p if c else None,
        p_holm=item.p_holm,
        effect_size=c.effect_size if c else None,
        note=item.note,
    )


def build_report(session: Session, experiment: Experiment, status: str) -> Report:
    """The report of one experiment, from its jobs, epochs and diagnostics."""
    groups = group_jobs(load_records(session, experiment.id))
    comparisons = compare_all(groups)
    best = best_group(groups)
    return Report(
        experiment_id=experiment.id,
        name=experiment.name,
        status=status,
        chance_loss=math.log(10),
        metric=METRIC,
        best=best.label if best else None,
        configs=[config_row(group) for group in groups],
        comparisons=[comparison_row(item) for item in comparisons],
        findings=[FindingOut(**finding.__dict__) for finding in all_findings(groups, comparisons)],
    )
