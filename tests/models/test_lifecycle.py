"""The job lifecycle transition by transition, the forbidden ones included, on each database."""

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models import lifecycle
from models.base import utcnow
from models.event import JobEvent
from models.experiment import Experiment
from models.job import TERMINAL_STATUSES, Job, JobStatus
from models.lifecycle import Attempt, Outcome
from models.spec import JobConfig
from tests.rows import add_job, job_row, reload

ENDED = sorted(TERMINAL_STATUSES)


def _job(session: Session, status: JobStatus = JobStatus.QUEUED, **values: Any) -> Attempt:
    """A job in this status; a running one is held by attempt 1."""
    attempt = values.pop("attempt", 1 if status != JobStatus.QUEUED else 0)
    job_id = add_job(session, JobConfig(), 7, status=status, attempt=attempt, **values)
    return Attempt(job_id, reload(session, job_id).experiment_id, attempt)


def _events(session: Session, job_id: int) -> list[tuple[str, int | None, dict[str, Any]]]:
    """The job's events: kind, the attempt that wrote it (none for the API's), and data."""
    rows = session.scalars(select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id))
    return [(event.kind, event.attempt, event.data) for event in rows]


def _in_transaction(engine: Engine, transition: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a transition in a transaction of its own, as every caller does, and commit it."""
    with Session(engine) as session:
        outcome = transition(session, *args, **kwargs)
        session.commit()
    return outcome


def test_created_jobs_log_their_birth_as_queued(session: Session) -> None:
    experiment = Experiment(name="born", spec={})
    jobs = [job_row(experiment, JobConfig(), seed) for seed in (0, 1)]
    session.add_all([experiment, *jobs])
    session.flush()
    lifecycle.created(session, jobs)
    session.commit()
    for job in jobs:
        assert _events(session, job.id) == [("status", None, {"status": "queued"})]


def test_claim_runs_a_queued_job_as_a_new_attempt(engine: Engine, session: Session) -> None:
    queued = _job(session, diagnostics_last={"probe.loss": 1.0}, epochs_done=3)
    claim = _in_transaction(engine, lifecycle.claim, queued.id)
    assert claim == lifecycle.Claim(
        Attempt(queued.id, queued.experiment_id, 1), JobConfig().model_dump(mode="json"), 7
    )
    job = reload(session, queued.id)
    assert (job.status, job.attempt, job.epochs_done, job.diagnostics_last) == (
        "running",
        1,
        0,
        None,
    )
    assert job.started_at is not None
    assert job.heartbeat_at is not None
    assert _events(session, queued.id) == [("status", 1, {"status": "running"})]


@pytest.mark.parametrize("status", [JobStatus.RUNNING, *ENDED])
def test_only_a_queued_job_can_be_claimed(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    job = _job(session, status)  # succeeded -> running, a second claim of a running job, ...
    assert _in_transaction(engine, lifecycle.claim, job.id) is None
    assert (reload(session, job.id).status, reload(session, job.id).attempt) == (status, 1)
    assert _events(session, job.id) == []


def test_progress_of_the_holding_attempt_is_recorded_with_its_epoch(
    engine: Engine, session: Session
) -> None:
    running = _job(session, JobStatus.RUNNING)
    epoch = {"epoch": 1, "loss": 0.5}
    outcome = _in_transaction(engine, lifecycle.progress, running, {"epochs_done": 1}, epoch)
    assert outcome is Outcome.RECORDED
    assert reload(session, running.id).epochs_done == 1
    assert _events(session, running.id) == [("epoch", 1, epoch)]


def test_progress_tells_the_attempt_a_cancel_was_requested(
    engine: Engine, session: Session
) -> None:
    running = _job(session, JobStatus.RUNNING, cancel_requested_at=utcnow())
    outcome = _in_transaction(engine, lifecycle.progress, running, {"batches_done": 4})
    assert outcome is Outcome.CANCEL_REQUESTED
    assert reload(session, running.id).batches_done == 4
    assert _in_transaction(engine, lifecycle.should_stop, running) is True


def test_a_stale_attempt_writes_no_progress(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, attempt=2)
    stale = Attempt(running.id, running.experiment_id, 1)
    epoch = {"epoch": 1}
    outcome = _in_transaction(engine, lifecycle.progress, stale, {"epochs_done": 1}, epoch)
    assert outcome is Outcome.REFUSED
    assert reload(session, running.id).epochs_done == 0
    assert _events(session, running.id) == []
    assert _in_transaction(engine, lifecycle.should_stop, stale) is True
    assert _in_transaction(engine, lifecycle.should_stop, running) is False


@pytest.mark.parametrize("status", ENDED)
def test_the_holding_attempt_ends_a_running_job(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    running = _job(session, JobStatus.RUNNING)
    values = {"final_test_loss": 0.4}
    outcome = _in_transaction(engine, lifecycle.end, running, status, error="x", values=values)
    assert outcome == status
    job = reload(session, running.id)
    assert (job.status, job.error, job.final_test_loss) == (status, "x", 0.4)
    assert job.finished_at is not None
    assert _events(session, running.id) == [("status", 1, {"status": status, "error": "x"})]


@pytest.mark.parametrize(
    ("config", "progress", "batches"),
    [
        (JobConfig(), {"batches_done": 1750, "batches_total": 1875}, 1875),  # 60,000 / 32
        # Too short for any heartbeat to have written its batches: 100 images in 4 batches.
        (JobConfig.model_validate({"dataset": {"train_size": 100}}), {}, 4),
    ],
)
def test_a_succeeded_job_shows_every_batch_of_its_last_epoch(
    engine: Engine, session: Session, config: JobConfig, progress: dict[str, int], batches: int
) -> None:
    job_id = add_job(session, config, 7, status=JobStatus.RUNNING, attempt=1, **progress)
    running = Attempt(job_id, reload(session, job_id).experiment_id, 1)
    assert _in_transaction(engine, lifecycle.end, running, JobStatus.SUCCEEDED) is Outcome.SUCCEEDED
    job = reload(session, job_id)
    assert (job.batches_done, job.batches_total) == (batches, batches)


def test_a_failed_or_cancelled_job_keeps_the_batches_it_reached(
    engine: Engine, session: Session
) -> None:
    for status in (JobStatus.FAILED, JobStatus.CANCELLED):
        running = _job(session, JobStatus.RUNNING, batches_done=1750, batches_total=1875)
        _in_transaction(engine, lifecycle.end, running, status)
        job = reload(session, running.id)
        assert (job.batches_done, job.batches_total) == (1750, 1875)


def test_a_stale_attempt_cannot_end_the_job(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, attempt=2)
    stale = Attempt(running.id, running.experiment_id, 1)
    outcome = _in_transaction(engine, lifecycle.end, stale, JobStatus.SUCCEEDED)
    assert outcome is Outcome.REFUSED
    assert reload(session, running.id).status == "running"
    assert _events(session, running.id) == []


@pytest.mark.parametrize("status", [JobStatus.QUEUED, *ENDED])
def test_a_job_that_is_not_running_cannot_be_ended(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    job = _job(session, status, attempt=1)  # succeeded -> failed, queued -> succeeded, ...
    outcome = _in_transaction(engine, lifecycle.end, job, JobStatus.FAILED, error="late")
    assert outcome is Outcome.REFUSED
    assert (reload(session, job.id).status, reload(session, job.id).error) == (status, None)


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.RUNNING])
def test_ending_means_a_terminal_status(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    running = _job(session, JobStatus.RUNNING)
    with pytest.raises(ValueError, match="not an ending"):
        _in_transaction(engine, lifecycle.end, running, status)


def test_the_reaper_requeues_a_running_job_unpublished(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, enqueued_at=utcnow())
    outcome = _in_transaction(engine, lifecycle.requeue, running, reason="worker lost")
    assert outcome is Outcome.REQUEUED
    job = reload(session, running.id)
    assert (job.status, job.attempt, job.enqueued_at) == ("queued", 1, None)
    assert _events(session, running.id) == [
        ("status", 1, {"status": "queued", "reason": "worker lost"})
    ]
    again = _in_transaction(engine, lifecycle.claim, running.id)
    assert again.attempt.attempt == 2  # the next claim is a new attempt


@pytest.mark.parametrize("status", [JobStatus.QUEUED, *ENDED])
def test_only_a_running_job_can_be_requeued(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    job = _job(session, status, attempt=1)
    outcome = _in_transaction(engine, lifecycle.requeue, job, reason="worker lost")
    assert outcome is Outcome.REFUSED
    assert reload(session, job.id).status == status


def test_a_stale_attempt_cannot_requeue_the_job(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, attempt=2)
    stale = Attempt(running.id, running.experiment_id, 1)
    assert _in_transaction(engine, lifecycle.requeue, stale, reason="x") is Outcome.REFUSED
    assert reload(session, running.id).status == "running"


@pytest.mark.parametrize(
    ("attempt", "cancel", "outcome", "error"),
    [
        (1, False, Outcome.REQUEUED, None),
        (3, False, Outcome.FAILED, "database unavailable"),
        (1, True, Outcome.CANCELLED, None),
        (3, True, Outcome.CANCELLED, None),
    ],
)
def test_a_released_attempt_is_requeued_below_the_cap_failed_at_it_cancelled_if_asked(
    engine: Engine,
    session: Session,
    attempt: int,
    cancel: bool,
    outcome: Outcome,
    error: str | None,
) -> None:
    asked = utcnow() if cancel else None
    running = _job(session, JobStatus.RUNNING, attempt=attempt, cancel_requested_at=asked)
    reason = lifecycle.DATABASE_LOST
    done = _in_transaction(engine, lifecycle.release, running, reason=reason, max_attempts=3)
    assert done is outcome
    job = reload(session, running.id)
    assert (job.status, job.error) == (str(outcome).replace("requeued", "queued"), error)


def test_a_stale_or_ended_attempt_cannot_be_released(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, attempt=2)
    ended = _job(session, JobStatus.SUCCEEDED, attempt=1)
    for attempt in (Attempt(running.id, running.experiment_id, 1), ended):
        release = lifecycle.release
        assert _in_transaction(engine, release, attempt, reason="x", max_attempts=3) is (
            Outcome.REFUSED
        )
    assert (reload(session, running.id).status, reload(session, ended.id).status) == (
        "running",
        "succeeded",
    )


def test_cancel_ends_a_queued_job_at_once(engine: Engine, session: Session) -> None:
    queued = _job(session)
    assert _in_transaction(engine, lifecycle.cancel_job, queued.id) is Outcome.CANCELLED
    job = reload(session, queued.id)
    assert (job.status, job.attempt, job.started_at) == ("cancelled", 0, None)
    assert job.finished_at is not None
    assert job.cancel_requested_at is not None
    assert _events(session, queued.id) == [("status", None, {"status": "cancelled"})]
    assert _in_transaction(engine, lifecycle.claim, queued.id) is None  # it never starts


def test_cancel_asks_a_running_job_to_stop_and_keeps_the_first_request(
    engine: Engine, session: Session
) -> None:
    running = _job(session, JobStatus.RUNNING)
    assert _in_transaction(engine, lifecycle.cancel_job, running.id) is Outcome.CANCEL_REQUESTED
    first = reload(session, running.id).cancel_requested_at
    assert first is not None
    assert _in_transaction(engine, lifecycle.cancel_job, running.id) is Outcome.CANCEL_REQUESTED
    job = reload(session, running.id)
    assert (job.status, job.cancel_requested_at) == ("running", first)
    assert _events(session, running.id) == []  # the worker's ending writes the event


@pytest.mark.parametrize("status", ENDED)
def test_cancelling_an_ended_job_is_refused(
    engine: Engine, session: Session, status: JobStatus
) -> None:
    ended = _job(session, status)
    assert _in_transaction(engine, lifecycle.cancel_job, ended.id) is Outcome.REFUSED
    job = reload(session, ended.id)
    assert (job.status, job.cancel_requested_at) == (status, None)


def test_cancel_by_experiment_reports_each_job(engine: Engine, session: Session) -> None:
    experiment = Experiment(name="mixed", spec={})
    statuses = [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    jobs = [job_row(experiment, JobConfig(), 0, status=status) for status in statuses]
    session.add_all([experiment, *jobs])
    session.commit()
    outcomes = _in_transaction(engine, lifecycle.cancel, Job.experiment_id == experiment.id)
    assert outcomes == {jobs[0].id: Outcome.CANCELLED, jobs[1].id: Outcome.CANCEL_REQUESTED}


def test_publishing_marks_the_jobs_for_the_relay(engine: Engine, session: Session) -> None:
    queued = _job(session)
    _in_transaction(engine, lifecycle.mark_published, [queued.id])
    assert reload(session, queued.id).enqueued_at is not None


def test_a_stopping_rule_stops_a_running_attempt_which_then_ends_succeeded(
    engine: Engine, session: Session
) -> None:
    running = _job(session, JobStatus.RUNNING)
    finals = {"final_test_loss": 2.0}
    stop = {"epoch": 1, "condition": "pruned", "values": finals}
    assert _in_transaction(engine, lifecycle.stop_early, running, **stop) is Outcome.STOP_REQUESTED
    # Once is enough: a second request finds the stop already there.
    assert _in_transaction(engine, lifecycle.stop_early, running, **stop) is Outcome.REFUSED
    assert _in_transaction(engine, lifecycle.progress, running, {}) is Outcome.STOP_REQUESTED
    ended = _in_transaction(engine, lifecycle.end, running, JobStatus.CANCELLED)
    assert ended is Outcome.SUCCEEDED
    job = reload(session, running.id)
    assert (job.status, job.final_test_loss) == ("succeeded", 2.0)


def test_a_stale_attempt_cannot_be_stopped_early(engine: Engine, session: Session) -> None:
    running = _job(session, JobStatus.RUNNING, attempt=2)
    stale = Attempt(running.id, running.experiment_id, 1)
    stop = {"epoch": 1, "condition": "pruned", "values": {}}
    assert _in_transaction(engine, lifecycle.stop_early, stale, **stop) is Outcome.REFUSED
    assert reload(session, running.id).stopped_early is None
