"""The reaper and the relay against the real database, and the fence against stale attempts."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from harness.training import small_config
from models.base import utcnow
from models.job import JobStatus
from models.settings import Settings
from models.spec import JobConfig
from tests.rows import add_job, reload
from worker import jobs, maintenance
from worker.training.results import EpochResult

LONG_AGO = timedelta(hours=1)


def running(
    session: Session, *, attempt: int = 1, age: timedelta = LONG_AGO, **values: object
) -> int:
    """A running job whose last heartbeat was `age` ago."""
    beat = utcnow() - age
    return add_job(
        session,
        small_config(),
        0,
        status=JobStatus.RUNNING,
        attempt=attempt,
        started_at=beat,
        heartbeat_at=beat,
        **values,
    )


def test_stale_job_is_requeued_for_the_relay(worker_env: Settings, session: Session) -> None:
    job_id = running(session)
    outcomes = maintenance.reap_stale_jobs(stale_seconds=60, max_attempts=3)
    assert outcomes[job_id] == "requeued"
    job = reload(session, job_id)
    assert (job.status, job.attempt, job.enqueued_at) == ("queued", 1, None)


def test_stale_job_past_the_attempt_cap_fails_as_worker_lost(
    worker_env: Settings, session: Session
) -> None:
    job_id = running(session, attempt=3)
    maintenance.reap_stale_jobs(stale_seconds=60, max_attempts=3)
    job = reload(session, job_id)
    assert (job.status, job.error) == ("failed", "worker lost")
    assert job.finished_at is not None


def test_stale_job_with_a_cancel_request_ends_cancelled(
    worker_env: Settings, session: Session
) -> None:
    job_id = running(session, cancel_requested_at=utcnow())
    maintenance.reap_stale_jobs(stale_seconds=60, max_attempts=3)
    assert reload(session, job_id).status == "cancelled"


def test_live_jobs_and_jobs_that_never_beat_recently_are_told_apart(
    worker_env: Settings, session: Session
) -> None:
    alive = running(session, age=timedelta(seconds=5))
    silent = add_job(
        session,
        small_config(),
        0,
        status=JobStatus.RUNNING,
        attempt=1,
        started_at=utcnow() - LONG_AGO,
    )
    outcomes = maintenance.reap_stale_jobs(stale_seconds=60, max_attempts=3)
    assert alive not in outcomes
    assert outcomes[silent] == "requeued"
    assert reload(session, alive).status == "running"


def test_relay_publishes_unpublished_queued_jobs_once(
    worker_env: Settings, session: Session
) -> None:
    old = add_job(session, small_config(), 0, created_at=utcnow() - LONG_AGO)
    fresh = add_job(session, small_config(), 0)
    published_before = add_job(
        session, small_config(), 0, created_at=utcnow() - LONG_AGO, enqueued_at=utcnow() - LONG_AGO
    )
    sent: list[tuple[int, JobConfig]] = []
    relayed = maintenance.relay_unpublished(lambda i, c: sent.append((i, c)), grace_seconds=30)
    # Other tests' unpublished jobs may be relayed too: only these three are this test's.
    assert old in relayed
    assert (old, small_config()) in sent
    assert fresh not in relayed
    assert published_before not in relayed
    assert reload(session, old).enqueued_at is not None
    assert reload(session, fresh).enqueued_at is None
    assert old not in maintenance.relay_unpublished(
        lambda i, c: sent.append((i, c)), grace_seconds=30
    )


def test_a_stale_attempt_cannot_write_after_a_new_one_claimed(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config())
    first = jobs.claim(job_id)
    assert first is not None
    maintenance.reap_stale_jobs(stale_seconds=0.0, max_attempts=3)
    second = jobs.claim(job_id)
    assert second is not None
    assert second.attempt == first.attempt + 1
    result = EpochResult(0, 2.3, 0.1, 2.3, 0.1, 0.5, {"probe.loss": 2.3})
    with pytest.raises(jobs.JobLost):
        jobs.record_epoch(first, result)
    assert jobs.heartbeat(first) is True  # the stale attempt is told to stop
    assert jobs.finish(first, JobStatus.SUCCEEDED) is False
    jobs.record_epoch(second, result)
    assert reload(session, job_id).epochs_done == 0
    assert reload(session, job_id).status == "running"


def test_heartbeat_reports_a_cancel_request(worker_env: Settings, session: Session) -> None:
    job_id = add_job(session, small_config())
    claimed = jobs.claim(job_id)
    assert claimed is not None
    assert jobs.heartbeat(claimed) is False
    job = reload(session, job_id)
    job.cancel_requested_at = utcnow()
    session.commit()
    assert jobs.heartbeat(claimed) is True
