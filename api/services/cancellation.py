"""Cancellation: a queued job ends at once, a running one is asked to stop; ended ones refuse."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from api.errors import NotCancellable
from api.services.experiments import get_experiment, status_counts
from api.services.jobs import get_job
from models.base import utcnow
from models.event import STATUS, job_event
from models.experiment import Experiment
from models.job import TERMINAL_STATUSES, Job, JobStatus

CANCELLABLE_OR_CANCELLED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CANCELLED)


def cancel_where(session: Session, *conditions: object) -> None:
    """Cancel matching queued jobs outright; flag running ones for the worker to stop."""
    now = utcnow()
    cancelled = session.execute(
        update(Job)
        .where(*conditions, Job.status == JobStatus.QUEUED)  # type: ignore[arg-type]
        .values(status=JobStatus.CANCELLED, cancel_requested_at=now, finished_at=now)
        .returning(Job.id, Job.experiment_id)
    ).all()
    for job_id, experiment_id in cancelled:
        session.execute(job_event(job_id, experiment_id, STATUS, status="cancelled"))
    session.execute(
        update(Job)
        .where(*conditions, Job.status == JobStatus.RUNNING)  # type: ignore[arg-type]
        .where(Job.cancel_requested_at.is_(None))
        .values(cancel_requested_at=now)
    )
    session.commit()


def cancel_job(session: Session, job_id: int, owner: str | None) -> Job:
    """Cancel a queued job now, a running one within its epoch; 409 once it has ended."""
    get_job(session, job_id, owner)  # another key's job is not found, and not touched
    cancel_where(session, Job.id == job_id)
    job = get_job(session, job_id, owner)
    session.refresh(job)
    if job.status in TERMINAL_STATUSES and job.status != JobStatus.CANCELLED:
        raise NotCancellable(f"job {job_id} has already ended: {job.status}")
    return job


def cancel_experiment(session: Session, experiment_id: int, owner: str | None) -> Experiment:
    """Cancel every job of the experiment that has not ended; 409 if all ended uncancelled."""
    experiment = get_experiment(session, experiment_id, owner)
    cancel_where(session, Job.experiment_id == experiment_id)
    counts = status_counts(session, [experiment_id])[experiment_id]
    if not any(counts.get(status) for status in CANCELLABLE_OR_CANCELLED):
        raise NotCancellable(f"experiment {experiment_id} has already ended; no job to cancel")
    return experiment
