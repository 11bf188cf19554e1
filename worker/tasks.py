"""Celery tasks: thin, like views; they take ids and hand the work to plain functions."""

import logging

from celery.exceptions import Reject, SoftTimeLimitExceeded
from sqlalchemy.exc import OperationalError

from models.lifecycle import Outcome
from models.settings import get_settings
from models.spec import JobConfig
from models.tasks import (
    ADVANCE_EXPERIMENT,
    ADVANCE_EXPERIMENTS,
    REAP_STALE_JOBS,
    RELAY_UNPUBLISHED,
    TRAIN_JOB,
)
from worker import maintenance, rounds
from worker.celery_app import app
from worker.jobs import JobLost
from worker.publishing import broker, publish_jobs

log = logging.getLogger(__name__)


@app.task(name=TRAIN_JOB)  # type: ignore[untyped-decorator]
def train_job(job_id: int) -> str:
    """Claim, train and record one job; a duplicate delivery finds nothing to claim. While the
    database stays away the task goes back to the queue rather than being taken as done."""
    # Imported here so that TensorFlow loads only in the child process that trains.
    from worker.runner import run_job

    try:
        return run_job(job_id, time_limit_errors=(SoftTimeLimitExceeded,))
    except JobLost:  # the attempt gave the job up while ending it: the job is released
        log.warning("job %s: not recorded; released for another attempt", job_id)
        return Outcome.REFUSED
    except OperationalError as error:
        log.warning("job %s: database unreachable; task back to the queue", job_id)
        raise Reject(type(error).__name__, requeue=True) from error


@app.task(name=REAP_STALE_JOBS)  # type: ignore[untyped-decorator]
def reap_stale_jobs() -> dict[int, str]:
    """Re-queue running jobs whose worker stopped sending heartbeats, or fail them past the cap."""
    settings = get_settings()
    return maintenance.reap_stale_jobs(
        stale_seconds=settings.stale_seconds, max_attempts=settings.max_attempts
    )


def _publish(job_id: int, config: JobConfig) -> None:
    publish_jobs([(job_id, config)])


@app.task(name=RELAY_UNPUBLISHED)  # type: ignore[untyped-decorator]
def relay_unpublished() -> list[int]:
    """Publish the tasks of queued jobs whose task is not waiting in the broker."""
    return maintenance.relay_unpublished(
        _publish, broker().waiting_jobs, grace_seconds=get_settings().relay_grace_seconds
    )


@app.task(name=ADVANCE_EXPERIMENT)  # type: ignore[untyped-decorator]
def advance_experiment(experiment_id: int) -> str:
    """Add an adaptive experiment's next round once its last has ended, or stop it."""
    return rounds.advance(experiment_id, publish_jobs)


@app.task(name=ADVANCE_EXPERIMENTS)  # type: ignore[untyped-decorator]
def advance_experiments() -> dict[int, str]:
    """Advance every adaptive experiment that may still add a round (a lost message's net)."""
    return rounds.advance_all(publish_jobs)
