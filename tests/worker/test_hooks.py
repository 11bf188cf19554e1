"""The heartbeat thread of a running job, against the real database: it beats while the loop
is busy in a chunk, and raises the stop flag once the claim is lost or a cancel requested."""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from harness.processes import wait_for
from harness.training import small_config
from models import lifecycle
from models.base import utcnow
from models.db import session_scope
from models.settings import Settings
from tests.rows import add_job, reload
from worker import jobs, maintenance
from worker.hooks import RecordingHooks

# A staleness far longer than the heartbeat interval (worker_env's 0.05 s).
STALE_SECONDS = 3.0


def _claimed(session: Session) -> jobs.ClaimedJob:
    claimed = jobs.claim(add_job(session, small_config()))
    assert claimed is not None
    return claimed


def _heartbeat_past(session: Session, job_id: int, moment: datetime) -> bool | None:
    beat = reload(session, job_id).heartbeat_at
    return True if beat is not None and beat > moment else None


def test_a_job_busy_in_one_chunk_longer_than_the_staleness_is_not_reaped(
    worker_env: Settings, session: Session
) -> None:
    job = _claimed(session)
    started = reload(session, job.id).started_at
    assert started is not None
    with RecordingHooks(job, worker_env.cancel_poll_seconds) as hooks:
        # The loop calls no hook meanwhile, as in one long chunk: the heartbeats come from the
        # timer alone, past a whole staleness period after the claim.
        later = started + timedelta(seconds=STALE_SECONDS)
        wait_for(lambda: _heartbeat_past(session, job.id, later), 60, "heartbeats on a timer")
        outcomes = maintenance.reap_stale_jobs(stale_seconds=STALE_SECONDS, max_attempts=3)
        assert job.id not in outcomes
        assert reload(session, job.id).status == "running"
        assert hooks.should_stop() is False


def test_an_attempt_that_lost_its_claim_is_told_to_stop_without_a_write_of_its_own(
    worker_env: Settings, session: Session
) -> None:
    job = _claimed(session)
    with RecordingHooks(job, worker_env.cancel_poll_seconds) as hooks:
        with session_scope() as other:
            assert lifecycle.requeue(other, job, reason="test") is lifecycle.Outcome.REQUEUED
        wait_for(lambda: hooks.should_stop() or None, 60, "the stop flag")
    assert reload(session, job.id).status == "queued"


def test_a_cancel_request_raises_the_stop_flag(worker_env: Settings, session: Session) -> None:
    job = _claimed(session)
    with RecordingHooks(job, worker_env.cancel_poll_seconds) as hooks:
        row = reload(session, job.id)
        row.cancel_requested_at = utcnow()
        session.commit()
        wait_for(lambda: hooks.should_stop() or None, 60, "the stop flag")
