"""Cancellation: a queued job ends at once, a running one is asked to stop; ended ones refuse."""

from sqlalchemy.orm import Session

from analysis.adaptive.sequential import Stop
from api.core.errors import NotCancellable
from api.experiments.service import get_experiment, status_counts
from api.jobs.service import get_job
from models import lifecycle, rounds
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.lifecycle import Outcome

CANCELLABLE_OR_CANCELLED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.CANCELLED)


def cancel_job(session: Session, job_id: int, owner: str | None) -> Job:
    """Cancel a queued job now, a running one within its epoch; 409 once it has ended."""
    job = get_job(session, job_id, owner)  # another key's job is not found, and not touched
    outcome = lifecycle.cancel_job(session, job_id)
    session.refresh(job)
    if outcome is Outcome.REFUSED and job.status != JobStatus.CANCELLED:
        raise NotCancellable(f"job {job_id} has already ended: {job.status}")
    return job


def cancel_experiment(session: Session, experiment_id: int, owner: str | None) -> Experiment:
    """Cancel every job of the experiment that has not ended; 409 if all ended uncancelled."""
    experiment = get_experiment(session, experiment_id, owner)
    # Stopped first, in the same transaction: a round being added meanwhile either loses its
    # fence or has its jobs cancelled below.
    rounds.cancel(session, experiment_id, Stop.CANCELLED)
    lifecycle.cancel(session, Job.experiment_id == experiment_id)
    session.refresh(experiment)  # its `stopped`, written by an update of its own
    counts = status_counts(session, [experiment_id])[experiment_id]
    if not any(counts.get(status) for status in CANCELLABLE_OR_CANCELLED):
        raise NotCancellable(f"experiment {experiment_id} has already ended; no job to cancel")
    return experiment
