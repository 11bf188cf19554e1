"""Diagnosing stored jobs again: after a rule changes, every ended job's conditions and curve
summary are recomputed from its stored epochs by the same code the worker runs."""

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from analysis.conditions import diagnose
from analysis.curves import curve_summary
from analysis.epochs import EpochResult
from analysis.stored import experiment_epochs
from api.experiments.service import get_experiment
from models.condition import JobCondition
from models.job import TERMINAL_STATUSES, Job
from models.spec import JobConfig

# What makes two diagnoses the same: the statement and evidence follow from these.
IDENTITY = ("name", "subject", "kind", "epoch", "caused_by", "statement")


@dataclass(frozen=True)
class Rediagnosis:
    """How many ended jobs were diagnosed again, and how many of them changed."""

    experiment_id: int
    jobs: int
    changed: int


def _stored(session: Session, job_id: int) -> set[tuple[object, ...]]:
    rows = session.scalars(select(JobCondition).where(JobCondition.job_id == job_id))
    return {tuple(getattr(row, name) for name in IDENTITY) for row in rows}


def _rediagnose(session: Session, job: Job, epochs: list[EpochResult]) -> bool:
    config = JobConfig.model_validate(job.config)
    found = diagnose(config, epochs)
    before = _stored(session, job.id)
    session.execute(delete(JobCondition).where(JobCondition.job_id == job.id))
    session.add_all(JobCondition(job_id=job.id, **c.columns()) for c in found)
    for column, value in curve_summary(epochs, config.loss.mode).columns().items():
        setattr(job, column, value)
    session.flush()
    return _stored(session, job.id) != before


def rediagnose_experiment(session: Session, experiment_id: int, owner: str | None) -> Rediagnosis:
    """Recompute the conditions and curve summary of every ended job of the experiment."""
    get_experiment(session, experiment_id, owner)
    epochs = experiment_epochs(session, [experiment_id])
    jobs = session.scalars(
        select(Job).where(Job.experiment_id == experiment_id, Job.status.in_(TERMINAL_STATUSES))
    ).all()
    changed = sum(_rediagnose(session, job, epochs.get(job.id, [])) for job in jobs)
    session.flush()
    return Rediagnosis(experiment_id, len(jobs), changed)
