"""An experiment's jobs with their epochs, diagnostics and conditions, loaded in four queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.condition import JobCondition
from models.diagnostic import JobDiagnostic
from models.job import Job, JobStatus
from models.metric import EpochMetric


@dataclass(frozen=True)
class ConditionRecord:
    """One stored condition of a job."""

    name: str
    subject: str
    kind: str
    epoch: int
    statement: str
    evidence: dict[str, Any]


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
    epochs: dict[int, dict[str, float | None]] = field(default_factory=dict)
    diagnostics: dict[int, dict[str, float | None]] = field(default_factory=dict)
    conditions: list[ConditionRecord] = field(default_factory=list)

    def last_epoch(self) -> int:
        """The last epoch with metrics, 0 if none."""
        return max(self.epochs, default=0)


def _final(job: Job) -> dict[str, float | None] | None:
    if job.status != JobStatus.SUCCEEDED:
        return None
    return {
        "loss": job.final_loss,
        "accuracy": job.final_accuracy,
        "test_loss": job.final_test_loss,
        "test_accuracy": job.final_test_accuracy,
    }


def load_records(session: Session, experiment_id: int) -> list[JobRecord]:
    """Every job of the experiment in creation order, with epochs and diagnostics attached."""
    jobs = session.scalars(select(Job).where(Job.experiment_id == experiment_id).order_by(Job.id))
    records = {
        job.id: JobRecord(
            job.id, job.seed, job.status, job.config, job.config_key, job.stuck, _final(job)
        )
        for job in jobs
    }
    epochs: dict[int, dict[int, dict[str, float | None]]] = defaultdict(dict)
    for row in session.scalars(
        select(EpochMetric).join(Job).where(Job.experiment_id == experiment_id)
    ):
        epochs[row.job_id][row.epoch] = {
            "loss": row.loss,
            "accuracy": row.accuracy,
            "test_loss": row.test_loss,
            "test_accuracy": row.test_accuracy,
        }
    diagnostics: dict[int, dict[int, dict[str, float | None]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    rows = session.execute(
        select(JobDiagnostic.job_id, JobDiagnostic.epoch, JobDiagnostic.name, JobDiagnostic.value)
        .join(Job)
        .where(Job.experiment_id == experiment_id)
    )
    for job_id, epoch, name, value in rows:
        diagnostics[job_id][epoch][name] = value
    for job_id, record in records.items():
        record.epochs = epochs.get(job_id, {})
        record.diagnostics = dict(diagnostics.get(job_id, {}))
    found = session.scalars(
        select(JobCondition).join(Job).where(Job.experiment_id == experiment_id)
    )
    for c in found:
        records[c.job_id].conditions.append(
            ConditionRecord(c.name, c.subject, c.kind, c.epoch, c.statement, c.evidence)
        )
    return list(records.values())
