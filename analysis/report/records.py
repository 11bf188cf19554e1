"""An experiment's jobs as the report reads them: rows, stored epochs and stored conditions."""

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.epochs import EpochResult
from analysis.stored import experiment_epochs
from models.condition import ConditionName, JobCondition
from models.job import Job, JobStatus


@dataclass(frozen=True)
class ConditionRecord:
    """One stored condition of a job."""

    name: str
    subject: str
    kind: str
    epoch: int
    statement: str
    evidence: dict[str, Any]
    caused_by: str | None = None


@dataclass
class JobRecord:
    """One job as the report sees it."""

    id: int
    seed: int
    status: str
    config: dict[str, Any]
    config_key: str
    stuck: bool | None
    final: dict[str, float | None] | None
    epochs: list[EpochResult] = field(default_factory=list)
    conditions: list[ConditionRecord] = field(default_factory=list)
    trial: int | None = None
    stopped_early: dict[str, Any] | None = None

    def last_epoch(self) -> int:
        """The last epoch with metrics, 0 if none."""
        return self.epochs[-1].epoch if self.epochs else 0

    def at(self, epoch: int) -> EpochResult | None:
        """The stored epoch of that number, if there is one."""
        return next((e for e in self.epochs if e.epoch == epoch), None)

    def figure(self, epoch: int, name: str) -> float | None:
        """A metric (loss, test_loss, ...) at an epoch, if stored and finite."""
        found = self.at(epoch)
        value = getattr(found, name) if found else None
        return value if value is not None and math.isfinite(value) else None

    def diagnostic(self, epoch: int, name: str) -> float | None:
        """A diagnostic at an epoch, if measured and finite."""
        found = self.at(epoch)
        value = found.diagnostics.get(name) if found else None
        return value if value is not None and math.isfinite(value) else None

    @property
    def ended(self) -> bool:
        """Whether its outcome is known: it succeeded, or failed because training diverged."""
        diverged = self.status == JobStatus.FAILED and self.has(ConditionName.EXPLODED)
        return self.status == JobStatus.SUCCEEDED or diverged

    def has(self, name: str) -> bool:
        """Whether the job shows the condition."""
        return any(c.name == name for c in self.conditions)


def _final(job: Job) -> dict[str, float | None] | None:
    return job.final_figures() if job.status == JobStatus.SUCCEEDED else None


def load_records(session: Session, experiment_id: int) -> list[JobRecord]:
    """Every job of the experiment in creation order, with its epochs and conditions."""
    jobs = session.scalars(select(Job).where(Job.experiment_id == experiment_id).order_by(Job.id))
    epochs = experiment_epochs(session, [experiment_id])
    records = {
        job.id: JobRecord(
            job.id,
            job.seed,
            job.status,
            job.config,
            job.config_key,
            job.stuck,
            _final(job),
            epochs.get(job.id, []),
            trial=job.trial,
            stopped_early=job.stopped_early,
        )
        for job in jobs
    }
    found = session.scalars(
        select(JobCondition).join(Job).where(Job.experiment_id == experiment_id)
    )
    for c in found:
        records[c.job_id].conditions.append(
            ConditionRecord(
                c.name, c.subject, c.kind, c.epoch, c.statement, c.evidence, c.caused_by
            )
        )
    return list(records.values())
