"""Jobs folded into config groups (one per distinct config, its seeds together), with labels."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from analysis.labels import flatten, labels
from analysis.report.records import ConditionRecord, JobRecord
from analysis.report.statistics import Summary, summarize
from models.condition import ConditionKind, ConditionName
from models.job import JobStatus


@dataclass(frozen=True)
class GroupCondition:
    """A condition as it held across a config's seeds."""

    name: str
    subject: str
    kind: str
    seeds: int
    of: int
    epoch: int
    statement: str
    evidence: dict[str, Any]
    caused_by: str | None = None

    @property
    def majority(self) -> bool:
        """Whether more than half of the config's seeds show it."""
        return 2 * self.seeds > self.of


@dataclass
class ConfigGroup:
    """The jobs of one distinct config; `jobs` holds those that succeeded, `records` all."""

    key: str
    config: dict[str, Any]
    label: str
    records: list[JobRecord]

    @property
    def jobs(self) -> list[JobRecord]:
        """The jobs that succeeded."""
        return [job for job in self.records if job.final is not None]

    @property
    def job_ids(self) -> list[int]:
        """Every job of the config."""
        return [job.id for job in self.records]

    def finals(self, name: str) -> dict[int, float]:
        """Seed -> final figure, for succeeded jobs whose figure is finite."""
        values = {job.seed: job.final.get(name) if job.final else None for job in self.jobs}
        return {seed: v for seed, v in values.items() if v is not None and math.isfinite(v)}

    def final_summary(self, name: str) -> Summary | None:
        """Mean and interval of a final figure over the seeds."""
        values = list(self.finals(name).values())
        return summarize(values) if values else None

    def epoch_values(self, epoch: int, name: str) -> list[float]:
        """A metric at one epoch, over the seeds that have it."""
        values = [job.figure(epoch, name) for job in self.jobs]
        return [v for v in values if v is not None]

    def diagnostic(self, epoch: int, name: str) -> float | None:
        """A diagnostic's mean over the seeds at one epoch (None if no seed has it)."""
        values = [job.diagnostic(epoch, name) for job in self.records]
        present = [v for v in values if v is not None]
        return math.fsum(present) / len(present) if present else None

    @property
    def last_epoch(self) -> int:
        """The last epoch every succeeded job reached."""
        return min((job.last_epoch() for job in self.jobs), default=0)

    def path(self, dotted: str) -> Any:
        """The value of a dotted config path."""
        return flatten(self.config)[dotted]

    @property
    def measured(self) -> list[JobRecord]:
        """The jobs whose outcome is known and that trained at least one epoch: succeeded, or
        failed because training diverged; running, cancelled and otherwise failed jobs wait."""
        return [job for job in self.records if job.ended and job.last_epoch() > 0]

    def conditions(self) -> list[GroupCondition]:
        """Each (condition, subject) with the number of seeds that show it, problems first."""
        found: dict[tuple[str, str], list[ConditionRecord]] = {}
        for job in self.measured:
            for condition in job.conditions:
                found.setdefault((condition.name, condition.subject), []).append(condition)
        rows = [_folded(items, len(self.measured)) for items in found.values()]
        return sorted(rows, key=lambda row: (row.kind != ConditionKind.PROBLEM, row.name))

    def problems(self) -> list[GroupCondition]:
        """The problem conditions most seeds show."""
        return [c for c in self.conditions() if c.kind == ConditionKind.PROBLEM and c.majority]

    def learned(self) -> bool | None:
        """Whether most measured seeds learned; None before any epoch was trained."""
        measured = self.measured
        if not measured:
            return None
        return 2 * self.failing() <= len(measured)

    def failing(self) -> int:
        """How many measured seeds did not learn."""
        return sum(1 for job in self.measured if _not_learning(job))


def _folded(items: list[ConditionRecord], of: int) -> GroupCondition:
    first = items[0]
    return GroupCondition(
        name=first.name,
        subject=first.subject,
        kind=first.kind,
        seeds=len(items),
        of=of,
        epoch=min(item.epoch for item in items),
        statement=first.statement,
        evidence=first.evidence,
        caused_by=first.caused_by,
    )


def _not_learning(job: JobRecord) -> bool:
    """At chance at its end, stalled at the clip, or failed because training diverged."""
    stalled = job.has(ConditionName.AT_CHANCE) or job.has(ConditionName.CLIPPED_STALL)
    return stalled or job.status == JobStatus.FAILED


def group_jobs(records: Sequence[JobRecord]) -> list[ConfigGroup]:
    """One group per config key, in the order the configs first appear, labelled."""
    by_key: dict[str, list[JobRecord]] = {}
    for record in records:
        by_key.setdefault(record.config_key, []).append(record)
    names = labels([jobs[0].config for jobs in by_key.values()])
    return [
        ConfigGroup(key=key, config=jobs[0].config, label=name, records=jobs)
        for (key, jobs), name in zip(by_key.items(), names, strict=True)
    ]
