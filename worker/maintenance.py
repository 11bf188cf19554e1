"""Keeping job state true when processes die or the broker was down: the reaper and the relay.

Both are periodic tasks (Celery beat) and safe to run anywhere, any number of times at once:
every change is a transition of models.lifecycle, conditional on the state that was read.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from models import lifecycle
from models.base import utcnow
from models.db import session_scope
from models.job import Job, JobStatus
from models.lifecycle import WORKER_LOST, Attempt, Outcome
from models.spec import JobConfig
from worker import hosts

log = logging.getLogger(__name__)


def _release(attempt: Attempt, max_attempts: int) -> Outcome:
    with session_scope() as session:
        return lifecycle.release(session, attempt, reason=WORKER_LOST, max_attempts=max_attempts)


def reap_stale_jobs(*, stale_seconds: float, max_attempts: int) -> dict[int, str]:
    """Running jobs without a heartbeat for `stale_seconds`: released (lifecycle.release);
    each one's Outcome (a str, as the task's result carries it)."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    last_sign = func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    with session_scope() as session:
        stale = session.execute(
            select(Job.id, Job.experiment_id, Job.attempt).where(
                Job.status == JobStatus.RUNNING, last_sign < cutoff
            )
        ).all()
    outcomes: dict[int, str] = {
        job_id: _release(Attempt(job_id, experiment_id, attempt), max_attempts)
        for job_id, experiment_id, attempt in stale
    }
    for job_id, outcome in outcomes.items():
        log.warning("job %s: heartbeat older than %ss, %s", job_id, stale_seconds, outcome)
    return outcomes


def release_orphans(*, max_attempts: int) -> dict[int, str]:
    """Running jobs claimed by a process of this host that no longer runs (a worker killed
    with its children): released at once, not after the staleness limit. Each one's Outcome."""
    with session_scope() as session:
        running = session.execute(
            select(Job.id, Job.experiment_id, Job.attempt, Job.claimed_by).where(
                Job.status == JobStatus.RUNNING,
                Job.claimed_by.startswith(hosts.this_host(), autoescape=True),
            )
        ).all()
    outcomes: dict[int, str] = {
        job_id: _release(Attempt(job_id, experiment_id, attempt), max_attempts)
        for job_id, experiment_id, attempt, claimed_by in running
        if hosts.is_gone(claimed_by)
    }
    for job_id, outcome in outcomes.items():
        log.warning("job %s: its process on this host is gone, %s", job_id, outcome)
    return outcomes


def relay_unpublished(
    publish: Callable[[int, JobConfig], None],
    waiting: Callable[[], set[int]],
    *,
    grace_seconds: float,
) -> list[int]:
    """Publish the task of every queued job that has been queued, unclaimed, for longer than
    the grace period since its last publish, and whose task does not wait in the broker's
    queue: its message never went out, or was lost (Redis restarted empty), or sits with a
    worker that died before running it. Returns their ids.

    A job that merely waits its turn has its message in the queue and is left alone; so at most
    one message per queued job waits there, and any duplicate delivered meets a refused claim.
    """
    cutoff = utcnow() - timedelta(seconds=grace_seconds)
    last_publish = func.coalesce(Job.enqueued_at, Job.created_at)
    with session_scope() as session:
        due = session.scalars(
            select(Job)
            .where(Job.status == JobStatus.QUEUED, last_publish < cutoff)
            .order_by(Job.id)
        ).all()
        in_queue = waiting() if due else set()
        lost = [job for job in due if job.id not in in_queue]
        for job in lost:
            publish(job.id, JobConfig.model_validate(job.config))
        lifecycle.mark_published(session, [job.id for job in lost])
    for job in lost:
        log.info("job %s: queued without a task waiting in the broker; published", job.id)
    return [job.id for job in lost]
