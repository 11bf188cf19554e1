"""Every transition of a job: its conditional update, its event, and its outcome.

                     claim (attempt + 1)                  end (fenced)
    created --> queued --------------------> running ----------------> succeeded
                 |  ^                          |  |                    failed
                 |  +--- requeue (reaper) -----+  |                    cancelled
                 |           (fenced)             |
                 |                                +-- progress, cancel request: stays running
                 |                                +-- stop early (a stopping rule): stays
                 |                                    running until its loop stops, then ends
                 |                                    succeeded with the epoch's figures
                 |                                +-- release (process gone, silent or cut off):
                 |                                    requeue; cancel if asked; fail past the cap
                 |                                +-- take over (its process is gone): release
                 |                                    and claim as attempt + 1, one transaction
                 +--- cancel --> cancelled
                 +--- republish (relay): stays queued, enqueued_at refreshed

A transition is one conditional UPDATE: it changes the job only if the job is still where the
transition starts from, so two processes racing for one job cannot both win. Every transition
from running is fenced on the attempt that claimed the job: an attempt that lost it (requeued by
the reaper, then claimed anew) can never overwrite the newer attempt's record. The three ended
statuses have no way out. A transition whose starting point no longer holds writes nothing and
returns Outcome.REFUSED; the caller owns the transaction, and the event is written in it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, func, literal, null, select, update
from sqlalchemy.orm import Session

from models.base import UTCDateTime, utcnow
from models.event import EPOCH, STATUS, job_event
from models.job import TERMINAL_STATUSES, Job, JobStatus

# Why an attempt was released (requeued, or failed past the attempt cap): its process died or
# fell silent; or it could not reach the database and gave the job up.
WORKER_LOST = "worker lost"
DATABASE_LOST = "database unavailable"


class Outcome(StrEnum):
    """What a requested transition did."""

    REQUEUED = "requeued"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Still running: progress recorded, or a client asked it to stop.
    RECORDED = "recorded"
    CANCEL_REQUESTED = "cancel_requested"
    # Still running: a stopping rule asked it to stop after an epoch (stop_early).
    STOP_REQUESTED = "stop_requested"
    # The job was not where the transition starts (not queued, ended, or another attempt's).
    REFUSED = "refused"


@dataclass(frozen=True)
class Attempt:
    """One attempt at running a job: what every write after its claim is fenced on."""

    id: int
    experiment_id: int
    attempt: int


@dataclass(frozen=True)
class Claim:
    """A job just claimed: the attempt, and what it runs (the config's JSON and the seed)."""

    attempt: Attempt
    config: dict[str, Any]
    seed: int
    stop_early: bool = False


def _event(session: Session, job_id: int, experiment_id: int, kind: str, **data: Any) -> None:
    session.execute(job_event(job_id, experiment_id, kind, **data))


def _attempt_event(session: Session, attempt: Attempt, kind: str, **data: Any) -> None:
    session.execute(
        job_event(attempt.id, attempt.experiment_id, kind, attempt=attempt.attempt, **data)
    )


def _held(attempt: Attempt) -> ColumnElement[bool]:
    return (
        (Job.id == attempt.id)
        & (Job.attempt == attempt.attempt)
        & (Job.status == JobStatus.RUNNING)
    )


def created(session: Session, jobs: Iterable[Job]) -> None:
    """Log the birth (queued) of jobs just flushed, in the transaction that stores them."""
    for job in jobs:
        _event(session, job.id, job.experiment_id, STATUS, status=JobStatus.QUEUED)


def mark_published(session: Session, job_ids: list[int]) -> None:
    """Note when the jobs' tasks reached the broker: the relay's grace period starts again."""
    marked = (
        update(Job)
        .where(Job.id.in_(job_ids), Job.status == JobStatus.QUEUED)
        .values(enqueued_at=utcnow())
    )
    # Nothing reads the column from the session's objects: do not look for them to set it there.
    session.execute(marked, execution_options={"synchronize_session": False})


def claim(session: Session, job_id: int, claimed_by: str | None = None) -> Claim | None:
    """queued -> running as a new attempt by the process `claimed_by` ("host:pid"), with the
    previous attempt's progress cleared; None (refused) if the job is not queued."""
    now = utcnow()
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            epochs_done=0,
            diagnostics_first=null(),
            diagnostics_last=null(),
            stopped_early=null(),
            attempt=Job.attempt + 1,
            claimed_by=claimed_by,
        )
        .returning(Job.attempt, Job.experiment_id, Job.config, Job.seed, Job.stop_early)
    ).one_or_none()
    if claimed is None:
        return None
    number, experiment_id, config, seed, stop_early = claimed
    attempt = Attempt(job_id, experiment_id, number)
    _attempt_event(session, attempt, STATUS, status=JobStatus.RUNNING)
    return Claim(attempt, config, seed, stop_early)


def holder(session: Session, job_id: int) -> tuple[Attempt, str | None] | None:
    """The running attempt of a job and the process that claimed it; None if not running."""
    row = session.execute(
        select(Job.experiment_id, Job.attempt, Job.claimed_by).where(
            Job.id == job_id, Job.status == JobStatus.RUNNING
        )
    ).one_or_none()
    if row is None:
        return None
    return Attempt(job_id, row.experiment_id, row.attempt), row.claimed_by


def take_over(
    session: Session, dead: Attempt, claimed_by: str, *, reason: str, max_attempts: int
) -> Claim | None:
    """A running attempt whose process is known to be gone -> released (see `release`) and,
    if that requeued it, running as the next attempt by `claimed_by`; None otherwise."""
    if release(session, dead, reason=reason, max_attempts=max_attempts) is not Outcome.REQUEUED:
        return None
    return claim(session, dead.id, claimed_by)


def release(session: Session, attempt: Attempt, *, reason: str, max_attempts: int) -> Outcome:
    """A running attempt that will not end by itself (its process gone or silent, or cut off
    from the database): cancelled if a client asked, failed with `reason` once it was the
    `max_attempts`th, else requeued; REFUSED if the attempt no longer holds the job."""
    held = session.execute(select(Job.cancel_requested_at).where(_held(attempt))).one_or_none()
    if held is None:
        return Outcome.REFUSED
    if held.cancel_requested_at is not None:
        return end(session, attempt, JobStatus.CANCELLED)
    if attempt.attempt >= max_attempts:
        return end(session, attempt, JobStatus.FAILED, error=reason)
    return requeue(session, attempt, reason=reason)


def progress(
    session: Session,
    attempt: Attempt,
    values: Mapping[str, object],
    epoch: Mapping[str, object] | None = None,
) -> Outcome:
    """Write a running attempt's progress and heartbeat, and its epoch's event if given:
    RECORDED, CANCEL_REQUESTED if a client asked it to stop, STOP_REQUESTED if a stopping rule
    did, REFUSED if no longer its."""
    row = session.execute(
        update(Job)
        .where(_held(attempt))
        .values(heartbeat_at=utcnow(), **values)
        .returning(Job.cancel_requested_at, Job.stopped_early)
    ).one_or_none()
    if row is None:
        return Outcome.REFUSED
    if epoch is not None:
        _attempt_event(session, attempt, EPOCH, **epoch)
    if row.cancel_requested_at is not None:
        return Outcome.CANCEL_REQUESTED
    return Outcome.RECORDED if row.stopped_early is None else Outcome.STOP_REQUESTED


def stop_early(
    session: Session,
    attempt: Attempt,
    *,
    epoch: int,
    condition: str,
    values: Mapping[str, object],
) -> Outcome:
    """A stopping rule's request that a running attempt stop after `epoch` because of
    `condition`: the epoch's figures become the job's final `values`, and the job ends
    succeeded once its loop has stopped; STOP_REQUESTED, or REFUSED if no longer its."""
    marker = {"epoch": epoch, "condition": condition}
    stopped = session.execute(
        update(Job)
        .where(_held(attempt), Job.stopped_early.is_(None))
        .values(stopped_early=marker, **values)
    )
    if stopped.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome.REFUSED
    return Outcome.STOP_REQUESTED


def should_stop(session: Session, attempt: Attempt) -> bool:
    """Whether a client asked to cancel the job, or the attempt no longer holds it."""
    row = session.execute(select(Job.cancel_requested_at).where(_held(attempt))).one_or_none()
    return row is None or row.cancel_requested_at is not None


def _batches_per_epoch() -> ColumnElement[int]:
    """The job's batches in one epoch, from its config: its training images over its batch
    size, rounded up (the last batch may be smaller)."""
    images = Job.config[("dataset", "train_size")].as_integer()
    batch = Job.config[("training", "batch_size")].as_integer()
    batches: ColumnElement[int] = (images + batch - 1) // batch
    return batches


def end(
    session: Session,
    attempt: Attempt,
    status: JobStatus,
    *,
    error: str | None = None,
    values: Mapping[str, object] | None = None,
) -> Outcome:
    """running -> succeeded (every batch of its last epoch done), failed or cancelled, with the
    row's final `values`; REFUSED if the attempt no longer holds the job. A job a stopping rule
    stopped while it ran (stop_early: a search's pruner) keeps that stop, and ends succeeded
    when its loop reports the stop as a cancel, unless a client asked to cancel it too."""
    if status not in TERMINAL_STATUSES:
        raise ValueError(f"{status} is not an ending")
    status, values, stopped = _stopped_by_a_rule(session, attempt, status, values or {})
    # The last heartbeat is written before the last epoch's last batches: a job that succeeded
    # ran every batch of its last epoch, so its progress says so.
    batches = _batches_per_epoch()
    done = (
        {"batches_done": batches, "batches_total": batches} if status == JobStatus.SUCCEEDED else {}
    )
    ended = session.execute(
        update(Job)
        .where(_held(attempt))
        .values(status=status, error=error, finished_at=utcnow(), **done, **values)
    )
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome.REFUSED
    early = {} if stopped is None else {"stopped_early": stopped}
    _attempt_event(session, attempt, STATUS, status=status, error=error, **early)
    return Outcome(status)


def _stopped_by_a_rule(
    session: Session, attempt: Attempt, status: JobStatus, values: Mapping[str, object]
) -> tuple[JobStatus, Mapping[str, object], object]:
    """The ending, the values and the stop of a job a stopping rule stopped while it ran; as
    given for any other (the stop, if any, among the values)."""
    row = session.execute(
        select(Job.stopped_early, Job.cancel_requested_at).where(_held(attempt))
    ).one_or_none()
    if row is None or row.stopped_early is None:
        return status, values, values.get("stopped_early")
    if status is JobStatus.CANCELLED and row.cancel_requested_at is None:
        status = JobStatus.SUCCEEDED
    kept = {name: value for name, value in values.items() if name != "stopped_early"}
    return status, kept, row.stopped_early


def requeue(session: Session, attempt: Attempt, *, reason: str) -> Outcome:
    """running -> queued for another attempt, unpublished (the relay publishes it); REFUSED if
    the attempt no longer holds the job."""
    requeued = session.execute(
        update(Job).where(_held(attempt)).values(status=JobStatus.QUEUED, enqueued_at=None)
    )
    if requeued.rowcount != 1:  # type: ignore[attr-defined]
        return Outcome.REFUSED
    _attempt_event(session, attempt, STATUS, status=JobStatus.QUEUED, reason=reason)
    return Outcome.REQUEUED


def cancel(session: Session, where: ColumnElement[bool]) -> dict[int, Outcome]:
    """Cancel the jobs `where` selects: queued -> cancelled at once; running ones get a cancel
    request (their worker ends them, or the reaper if it died). Ended jobs are left alone."""
    now = utcnow()
    cancelled = session.execute(
        update(Job)
        .where(where, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, cancel_requested_at=now, finished_at=now)
        .returning(Job.id, Job.experiment_id)
    ).all()
    for job_id, experiment_id in cancelled:
        _event(session, job_id, experiment_id, STATUS, status=JobStatus.CANCELLED)
    first_request = func.coalesce(Job.cancel_requested_at, literal(now, UTCDateTime()))
    requested = session.scalars(
        update(Job)
        .where(where, Job.status == JobStatus.RUNNING)
        .values(cancel_requested_at=first_request)
        .returning(Job.id)
    ).all()
    outcomes = {job_id: Outcome.CANCELLED for job_id, _ in cancelled}
    return outcomes | dict.fromkeys(requested, Outcome.CANCEL_REQUESTED)


def cancel_job(session: Session, job_id: int) -> Outcome:
    """Cancel one job (see `cancel`): CANCELLED, CANCEL_REQUESTED, or REFUSED once it ended."""
    return cancel(session, Job.id == job_id).get(job_id, Outcome.REFUSED)
