"""The worker's units of work on a job: claim it, record epochs, end it, each retried while
the database is away. The transitions themselves, fenced on the attempt, are models.lifecycle's.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from analysis import stored
from analysis.conditions import Condition, diagnose
from analysis.curves import curve_summary
from analysis.epochs import EpochResult
from analysis.names import SUMMARY_DIAGNOSTICS
from models import lifecycle, nonfinite
from models.condition import JobCondition
from models.db import session_scope
from models.diagnostic import JobDiagnostic
from models.job import FINAL_COLUMNS, JobStatus
from models.lifecycle import Attempt, Outcome
from models.metric import EpochMetric
from models.settings import get_settings
from models.spec import JobConfig
from worker import hosts, round_trigger, stopping

log = logging.getLogger(__name__)
T = TypeVar("T")
# About 8 s in all: enough to ride out a database restart or a dropped connection.
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)
# How often an attempt that gave its job up tries to release it while the database is away.
GIVE_UP_POLL_SECONDS = 1.0


def retrying(action: Callable[[], T]) -> T:
    """Run a unit of work, again after a pause when the database is unreachable."""
    for delay in RETRY_DELAYS:
        try:
            return action()
        except OperationalError as error:
            log.warning("database unreachable (%s); retrying in %ss", type(error).__name__, delay)
            time.sleep(delay)
    return action()


class JobLost(RuntimeError):
    """The job is no longer running under this attempt; stop writing to it."""


def _or_give_up(job: "ClaimedJob", write: Callable[[], T]) -> T:
    """A write of a running attempt, retried; if the database stays away past the retries,
    the attempt gives the job up (`give_up`) and stops with JobLost."""
    try:
        return retrying(write)
    except OperationalError as error:
        give_up(job)
        raise JobLost(f"job {job.id}: attempt {job.attempt} gave the job up") from error


def give_up(job: "ClaimedJob") -> None:
    """Release a job this attempt cannot record (lifecycle.release) the moment the database
    answers, so it is never left running with nothing running it. Tried until the staleness
    limit: past it the reaper releases the job as soon as the database answers."""
    settings = get_settings()
    deadline = time.monotonic() + settings.stale_seconds
    log.warning("job %s: database unreachable; attempt %s gives it up", job.id, job.attempt)
    while True:
        try:
            outcome = _release(job, settings.max_attempts)
        except OperationalError:
            if time.monotonic() >= deadline:
                log.warning("job %s: database still away; left to the reaper", job.id)
                return
            time.sleep(GIVE_UP_POLL_SECONDS)
            continue
        log.warning("job %s: attempt %s given up: %s", job.id, job.attempt, outcome)
        return


def _release(job: Attempt, max_attempts: int) -> Outcome:
    with session_scope() as session:
        reason = lifecycle.DATABASE_LOST
        return lifecycle.release(session, job, reason=reason, max_attempts=max_attempts)


@dataclass(frozen=True)
class ClaimedJob(Attempt):
    """A job this process now runs: the attempt, its config and seed."""

    config: JobConfig
    seed: int
    stop_early: bool = False
    claimed_at: float = field(default_factory=time.monotonic)


def claim(job_id: int) -> ClaimedJob | None:
    """Move a queued job to running atomically, or take over a running one whose process is
    gone; None if another delivery got there first. Retried while the database is away; the
    last OperationalError propagates, so the task is not taken as done."""
    claimed = retrying(lambda: _claim(job_id))
    if claimed is None:
        return None
    attempt = claimed.attempt
    config = JobConfig.model_validate(claimed.config)
    return ClaimedJob(
        attempt.id, attempt.experiment_id, attempt.attempt, config, claimed.seed, claimed.stop_early
    )


def _claim(job_id: int) -> lifecycle.Claim | None:
    with session_scope() as session:
        me = hosts.this_process()
        claimed = lifecycle.claim(session, job_id, me) or _take_over(session, job_id, me)
        if claimed is None:
            return None
        for table in (EpochMetric, JobDiagnostic, JobCondition):  # a new attempt starts afresh
            session.execute(delete(table).where(table.job_id == job_id))
        return claimed


def _take_over(session: Session, job_id: int, me: str) -> lifecycle.Claim | None:
    """A running job whose process is gone: the next attempt, by this process, at once
    (not after the reaper's staleness), if lifecycle.release requeues it."""
    held = lifecycle.holder(session, job_id)
    if held is None or not hosts.is_gone(held[1]):
        return None
    dead = held[0]
    log.warning("job %s: attempt %s's process %s is gone", job_id, dead.attempt, held[1])
    cap = get_settings().max_attempts
    return lifecycle.take_over(session, dead, me, reason=lifecycle.WORKER_LOST, max_attempts=cap)


def record_epoch(job: ClaimedJob, result: EpochResult) -> None:
    """Write one epoch's metrics, its diagnostics and the job's progress, then the job's
    conditions as the stored epochs show them, and what the stopping rules say, in one
    transaction."""
    _or_give_up(job, lambda: _record_epoch(job, result))


def _diagnose(session: Session, job: ClaimedJob, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Replace the job's conditions by the diagnosis of its stored epochs; that diagnosis."""
    found = diagnose(job.config, epochs)
    session.execute(delete(JobCondition).where(JobCondition.job_id == job.id))
    session.add_all(JobCondition(job_id=job.id, **c.columns()) for c in found)
    return found


def _record_epoch(job: ClaimedJob, result: EpochResult) -> None:
    loss, loss_flag = nonfinite.stored(result.loss)
    test_loss, test_loss_flag = nonfinite.stored(result.test_loss)
    figures = {
        "epoch": result.epoch,
        "loss": loss,
        "accuracy": result.accuracy,
        "test_loss": test_loss,
        "test_accuracy": result.test_accuracy,
        "seconds": result.seconds,
    }
    with session_scope() as session:
        if lifecycle.progress(session, job, _progress(result), figures) is Outcome.REFUSED:
            raise JobLost(f"job {job.id} is no longer running as attempt {job.attempt}")
        # A retried write may follow one that committed before its connection dropped.
        for table in (EpochMetric, JobDiagnostic):
            session.execute(
                delete(table).where(table.job_id == job.id, table.epoch == result.epoch)
            )
        flags = {"loss_nonfinite": loss_flag, "test_loss_nonfinite": test_loss_flag}
        session.add(EpochMetric(job_id=job.id, **figures, **flags))
        session.add_all(
            JobDiagnostic(job_id=job.id, epoch=result.epoch, name=name, **_value(value))
            for name, value in result.diagnostics.items()
        )
        session.flush()
        epochs = stored.job_epochs(session, job.id)
        found = _diagnose(session, job, epochs)
        stopping.after_epoch(session, job, found, stop_early=job.stop_early)


def _value(value: float) -> dict[str, float | str | None]:
    number, flag = nonfinite.stored(value)
    return {"value": number, "nonfinite": flag}


def _progress(result: EpochResult) -> dict[str, object]:
    """The job row's part of an epoch: its number and the summary diagnostics at it."""
    summary = {
        name: nonfinite.finite(result.diagnostics[name])
        for name in SUMMARY_DIAGNOSTICS
        if name in result.diagnostics
    }
    values: dict[str, object] = {"epochs_done": result.epoch, "diagnostics_last": summary}
    return values | ({"diagnostics_first": summary} if result.epoch == 0 else {})


def heartbeat(job: ClaimedJob, batches_done: int = 0, batches_total: int = 0) -> bool:
    """Mark the job alive with its progress in the epoch; True if it should stop (cancel
    requested, or no longer ours)."""
    return retrying(lambda: _heartbeat(job, batches_done, batches_total))


def _heartbeat(job: ClaimedJob, batches_done: int, batches_total: int) -> bool:
    batches = {"batches_done": batches_done, "batches_total": batches_total}
    with session_scope() as session:
        return lifecycle.progress(session, job, batches) is not Outcome.RECORDED


def cancel_requested(job: ClaimedJob) -> bool:
    """Whether a client asked to cancel the job, or it stopped being ours."""
    with session_scope() as session:
        return lifecycle.should_stop(session, job)


def finish(job: ClaimedJob, status: JobStatus, *, error: str | None = None) -> JobStatus | None:
    """End the job: terminal status, error, and from its stored epochs its curve summary, its
    conditions and (once succeeded) its final figures; the status written, None if the job is
    not ours. A job a stopping rule stopped succeeds with that stop (models.lifecycle.end)."""
    ended = _or_give_up(job, lambda: _end(job, status, error))
    if ended:
        round_trigger.job_ended(job.experiment_id)
    return ended


def _end(job: ClaimedJob, status: JobStatus, error: str | None) -> JobStatus | None:
    with session_scope() as session:
        epochs = stored.job_epochs(session, job.id)
        values = curve_summary(epochs, job.config.loss.mode).columns()
        if status is JobStatus.SUCCEEDED and epochs:
            values |= final_figures(epochs[-1])
        outcome = lifecycle.end(session, job, status, error=error, values=values)
        if outcome is Outcome.REFUSED:
            return None
        _diagnose(session, job, epochs)
        return JobStatus(outcome.value)


def final_figures(epoch: EpochResult) -> dict[str, float | None]:
    """The job row's final figures from its last epoch; a non-finite loss as NULL."""
    return {
        column: nonfinite.finite(getattr(epoch, figure)) for figure, column in FINAL_COLUMNS.items()
    }
