"""The reaper and the relay against the real database, and the fence against stale attempts."""

import os
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from analysis.epochs import EpochResult
from harness.processes import wait_for
from harness.training import small_config
from models.base import utcnow
from models.job import JobStatus
from models.settings import Settings
from models.spec import JobConfig
from tests.rows import add_job, reload
from worker import hosts, jobs, maintenance

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


def test_relay_publishes_queued_jobs_whose_task_does_not_wait_in_the_broker(
    worker_env: Settings, session: Session
) -> None:
    long_ago = utcnow() - LONG_AGO
    never = add_job(session, small_config(), 0, created_at=long_ago)
    fresh = add_job(session, small_config(), 0)
    waiting = add_job(session, small_config(), 0, created_at=long_ago, enqueued_at=long_ago)
    lost = add_job(session, small_config(), 0, created_at=long_ago, enqueued_at=long_ago)
    sent: list[tuple[int, JobConfig]] = []

    def relay() -> list[int]:
        return maintenance.relay_unpublished(
            lambda i, c: sent.append((i, c)), lambda: {waiting}, grace_seconds=30
        )

    relayed = relay()
    # Other tests' queued jobs may be relayed too: only these four are this test's.
    assert never in relayed
    assert lost in relayed
    assert (never, small_config()) in sent
    assert fresh not in relayed
    assert waiting not in relayed
    assert reload(session, lost).enqueued_at > long_ago  # type: ignore[operator]
    assert reload(session, fresh).enqueued_at is None
    # Published again just now: not again before another grace period.
    assert {never, lost}.isdisjoint(relay())


def test_a_redelivered_task_takes_over_a_job_whose_process_is_gone(
    worker_env: Settings, session: Session
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    job_id = running(session, age=timedelta(0), claimed_by=f"{socket.gethostname()}:{gone.pid}")
    claimed = jobs.claim(job_id)
    assert claimed is not None
    assert claimed.attempt == 2
    job = reload(session, job_id)
    assert (job.status, job.claimed_by) == ("running", hosts.this_process())


def test_a_redelivered_task_leaves_a_job_whose_process_may_live(
    worker_env: Settings, session: Session
) -> None:
    alive = f"{socket.gethostname()}:{os.getppid()}"
    elsewhere = f"another-host:{os.getpid() + 1}"
    for claimed_by in (alive, elsewhere, None):
        job_id = running(session, age=timedelta(0), claimed_by=claimed_by)
        assert jobs.claim(job_id) is None
        assert reload(session, job_id).attempt == 1


def test_a_dead_attempt_at_the_cap_fails_as_worker_lost(
    worker_env: Settings, session: Session
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    claimed_by = f"{socket.gethostname()}:{gone.pid}"
    job_id = running(session, attempt=3, age=timedelta(0), claimed_by=claimed_by)
    assert jobs.claim(job_id) is None
    job = reload(session, job_id)
    assert (job.status, job.error) == ("failed", "worker lost")


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
    assert jobs.finish(first, JobStatus.SUCCEEDED) is None
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


def test_a_claim_by_a_killed_process_not_yet_reaped_is_taken_over(
    worker_env: Settings, session: Session
) -> None:
    zombie = subprocess.Popen(["true"])
    stat = Path(f"/proc/{zombie.pid}/stat")
    wait_for(lambda: stat.read_text().rpartition(")")[2].split()[0] == "Z" or None, 30, "exit")
    job_id = running(session, age=timedelta(0), claimed_by=f"{socket.gethostname()}:{zombie.pid}")
    claimed = jobs.claim(job_id)
    zombie.wait()
    assert claimed is not None
    assert claimed.attempt == 2


def test_a_starting_worker_releases_only_the_jobs_of_its_hosts_dead_processes(
    worker_env: Settings, session: Session
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    here = socket.gethostname()
    dead = running(session, age=timedelta(0), claimed_by=f"{here}:{gone.pid}")
    alive = running(session, age=timedelta(0), claimed_by=f"{here}:{os.getppid()}")
    elsewhere = running(session, age=timedelta(0), claimed_by=f"another-host:{gone.pid}")
    outcomes = maintenance.release_orphans(max_attempts=3)
    assert outcomes.get(dead) == "requeued"
    assert alive not in outcomes
    assert elsewhere not in outcomes
    statuses = [reload(session, job_id).status for job_id in (dead, alive, elsewhere)]
    assert statuses == ["queued", "running", "running"]


# /proc texts of a training process just after SIGKILL, in the order they were read.
KILLED_STAT = "11990 (python) {state} 11955 11955 11955 0 -1 {flags} 0 0 0 0 90 12 0 0 20 0 36"
STATUS = "Name:\tpython\nSigQ:\t0/95348\nSigPnd:\t0000000000000000\nShdPnd:\t{shared}\nSigBlk:\t0\n"
NOTHING = "0000000000000000"
SIGKILL_PENDING = "0000000000000100"


@pytest.mark.parametrize(
    ("state", "flags", "shared", "runs_nothing"),
    [
        ("S", 0x400040, NOTHING, False),  # sleeping between batches
        ("R", 0x400040, NOTHING, False),  # training
        ("R", 0x400040, SIGKILL_PENDING, True),  # killed, not yet scheduled to exit
        ("R", 0x40044C, SIGKILL_PENDING, True),  # exiting
        ("Z", 0x40844C, SIGKILL_PENDING, True),  # a zombie
    ],
)
def test_a_process_runs_nothing_from_the_moment_it_is_killed(
    state: str, flags: int, shared: str, runs_nothing: bool
) -> None:
    stat = KILLED_STAT.format(state=state, flags=flags)
    assert hosts.runs_nothing(stat, STATUS.format(shared=shared)) is runs_nothing


def test_a_claim_by_a_process_killed_a_moment_ago_is_gone() -> None:
    child = subprocess.Popen(["sleep", "60"])
    claim = f"{socket.gethostname()}:{child.pid}"
    assert not hosts.is_gone(claim)
    child.kill()
    assert hosts.is_gone(claim)
    child.wait()
    assert hosts.is_gone(claim)
