"""Reading the job event log for the live streams, and whether there is more to come."""

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.event import EPOCH, JobEvent
from models.experiment import Experiment, pending_round
from models.job import TERMINAL_STATUSES, Job

BATCH = 500


def events_after(
    session: Session, *, after: int, job_id: int | None = None, experiment_id: int | None = None
) -> tuple[Sequence[JobEvent], bool]:
    """Events with ids above `after` for one job or one experiment, and whether it has ended.

    The end is read before the events, so the events of the final change are never missed.
    Epochs of an attempt that is no longer the job's (a killed run) are left out: the re-run
    writes them again.
    """
    ended = _ended(session, job_id=job_id, experiment_id=experiment_id)
    current = or_(
        JobEvent.kind != EPOCH, JobEvent.attempt.is_(None), JobEvent.attempt == Job.attempt
    )
    query = (
        select(JobEvent)
        .join(Job, Job.id == JobEvent.job_id)
        .where(JobEvent.id > after, current)
        .order_by(JobEvent.id)
        .limit(BATCH)
    )
    if job_id is not None:
        query = query.where(JobEvent.job_id == job_id)
    if experiment_id is not None:
        query = query.where(JobEvent.experiment_id == experiment_id)
    return session.scalars(query).all(), ended


def _ended(session: Session, *, job_id: int | None, experiment_id: int | None) -> bool:
    """Every job ended; and for an adaptive experiment, no round is still to be added."""
    query = select(func.count()).select_from(Job).where(Job.status.not_in(TERMINAL_STATUSES))
    if job_id is not None:
        query = query.where(Job.id == job_id)
    if experiment_id is not None:
        query = query.where(Job.experiment_id == experiment_id)
        experiment = session.get(Experiment, experiment_id)
        if experiment is not None and pending_round(experiment):
            return False
    return session.scalar(query) == 0
