"""Two experiments side by side: one report over both experiments' jobs.

A config that only one experiment ran is one group, as in its own report. A config both ran is
two groups, one per experiment, whose labels name the experiment and whose configs carry it as a
factor, so that pair is compared like any one-factor pair; the response's configs and follow-up
specs do not show that factor.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from analysis.labels import labels
from analysis.report.build import report_of
from analysis.report.comparisons import EXPERIMENT, Metric
from analysis.report.groups import ConfigGroup
from analysis.report.records import JobRecord
from analysis.report.schemas import Report
from models.experiment import ExperimentStatus, experiment_status


class ComparedExperiment(BaseModel):
    """One of the compared experiments, and the labels of its configs in the report."""

    id: int = Field(description="the experiment's id")
    name: str = Field(description="its name")
    status: ExperimentStatus = Field(description="derived from its jobs")
    configs: list[str] = Field(description="labels of its configs in the report")


class ExperimentComparison(BaseModel):
    """Two experiments' configs side by side, with the same statistics as a report."""

    experiments: list[ComparedExperiment] = Field(description="the two experiments, in order")
    report: Report = Field(
        description="the report over both experiments' jobs; its experiment_id is the first "
        "experiment's, its status that of both experiments' jobs together"
    )


@dataclass(frozen=True)
class Side:
    """One compared experiment: its id, name, jobs' counts per status and report records."""

    id: int
    name: str
    counts: dict[str, int]
    records: list[JobRecord]


def side_groups(sides: Sequence[Side]) -> list[tuple[int, ConfigGroup]]:
    """(experiment id, group) per config of each experiment, labelled across both."""
    by_key: dict[tuple[int, str], list[JobRecord]] = {}
    for side in sides:
        for record in side.records:
            by_key.setdefault((side.id, record.config_key), []).append(record)
    runs = Counter(key for _, key in by_key)
    names = labels([records[0].config for records in by_key.values()])
    found = []
    for ((experiment_id, key), records), name in zip(by_key.items(), names, strict=True):
        config, label = records[0].config, name
        if runs[key] > 1:
            config, label = (
                {**config, EXPERIMENT: experiment_id},
                f"{name} (experiment {experiment_id})",
            )
        found.append(
            (experiment_id, ConfigGroup(key=key, config=config, label=label, records=records))
        )
    return found


def compare(sides: Sequence[Side], *, metric: Metric, margin: float | None) -> ExperimentComparison:
    """The report over both experiments' groups, and which configs are whose."""
    pairs = side_groups(sides)
    total: Counter[str] = sum((Counter(side.counts) for side in sides), Counter())
    report = report_of(
        [group for _, group in pairs],
        experiment_id=sides[0].id,
        name=" vs ".join(side.name for side in sides),
        status=experiment_status(total),
        metric=metric,
        margin=margin,
    )
    for row in report.configs:
        row.config.pop(EXPERIMENT, None)
    for follow_up in report.follow_ups:
        follow_up.spec["base"].pop(EXPERIMENT, None)
    experiments = [
        ComparedExperiment(
            id=side.id,
            name=side.name,
            status=experiment_status(side.counts),
            configs=[group.label for owner, group in pairs if owner == side.id],
        )
        for side in sides
    ]
    return ExperimentComparison(experiments=experiments, report=report)
