"""A job from claim to end against the real database, without Celery: the task's whole body."""

import math
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from analysis.epochs import EpochResult
from harness.training import small_config
from models.base import utcnow
from models.diagnostic import JobDiagnostic
from models.job import Job, JobStatus
from models.lifecycle import Outcome
from models.metric import EpochMetric
from models.settings import Settings
from tests.rows import add_job
from worker import hooks, runner
from worker.data import load_fashion_mnist


def reload(session: Session, job_id: int) -> Job:
    """The job's row as it is now."""
    session.expire_all()
    job = session.get(Job, job_id)
    assert job is not None
    return job


def metrics(session: Session, job_id: int) -> list[EpochMetric]:
    """A job's metric rows."""
    return list(session.scalars(select(EpochMetric).where(EpochMetric.job_id == job_id)))


def metric_epochs(session: Session, job_id: int) -> list[int]:
    """The epochs recorded for a job."""
    return list(session.scalars(select(EpochMetric.epoch).where(EpochMetric.job_id == job_id)))


def test_job_runs_to_success_and_records_every_epoch(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config(training={"epochs": 2}))
    assert runner.run_job(job_id) == JobStatus.SUCCEEDED
    job = reload(session, job_id)
    assert (job.status, job.epochs_done, job.attempt, job.error) == ("succeeded", 2, 1, None)
    assert metric_epochs(session, job_id) == [0, 1, 2]
    last = session.get(EpochMetric, (job_id, 2))
    assert last is not None
    assert job.final_loss == last.loss
    assert job.final_test_accuracy == last.test_accuracy
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.best_test_loss == min(m.test_loss or math.inf for m in metrics(session, job_id))
    assert job.stuck is False
    assert job.train_loss_auc is not None


def test_diagnostics_are_stored_per_epoch_in_long_form(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config())
    runner.run_job(job_id)
    rows = session.execute(
        select(JobDiagnostic.epoch, JobDiagnostic.name).where(JobDiagnostic.job_id == job_id)
    ).all()
    names = {epoch: {name for e, name in rows if e == epoch} for epoch, _ in rows}
    assert sorted(names) == [0, 1]
    assert "input.mean" in names[0]
    assert "input.mean" not in names[1]
    assert "hidden_1.update_ratio" in names[1]


def test_second_delivery_of_a_finished_job_does_nothing(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config())
    runner.run_job(job_id)
    assert runner.run_job(job_id) is Outcome.REFUSED
    job = reload(session, job_id)
    assert (job.status, job.attempt) == ("succeeded", 1)
    assert metric_epochs(session, job_id) == [0, 1]


def test_cancel_requested_while_running_ends_cancelled_with_finished_epochs(
    worker_env: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = add_job(session, small_config(training={"epochs": 5}))
    recorded = hooks.RecordingHooks.on_epoch

    def cancel_after_epoch_1(self: hooks.RecordingHooks, result: EpochResult) -> None:
        recorded(self, result)
        if result.epoch == 1:
            with Session(session.get_bind()) as other:
                other.get(Job, job_id).cancel_requested_at = utcnow()  # type: ignore[union-attr]
                other.commit()

    monkeypatch.setattr(hooks.RecordingHooks, "on_epoch", cancel_after_epoch_1)
    assert runner.run_job(job_id) == JobStatus.CANCELLED
    job = reload(session, job_id)
    assert job.status == "cancelled"
    assert job.final_loss is None
    assert metric_epochs(session, job_id) == [0, 1]


def test_missing_dataset_fails_the_job_with_a_reason(
    worker_env: Settings, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(runner, "dataset", lambda: load_fashion_mnist(tmp_path))
    runner._prepared.cache_clear()  # nothing cached from earlier jobs
    job_id = add_job(session, small_config())
    assert runner.run_job(job_id) == JobStatus.FAILED
    job = reload(session, job_id)
    assert job.status == "failed"
    assert job.error is not None
    assert "DatasetError: Fashion-MNIST not found" in job.error
    assert "apt-get install -y dataset-fashion-mnist" in job.error
    assert "Traceback" not in job.error


def test_cancelled_job_is_never_claimed(worker_env: Settings, session: Session) -> None:
    job_id = add_job(session, small_config(), status=JobStatus.CANCELLED)
    assert runner.run_job(job_id) is Outcome.REFUSED
    job = reload(session, job_id)
    assert (job.status, job.attempt, job.started_at) == ("cancelled", 0, None)


def test_a_database_error_is_stored_as_a_stable_text_without_the_drivers_message() -> None:
    refused = OperationalError(
        "SELECT 1", {}, Exception('connection to server at "db.internal", port 5432 failed')
    )
    assert runner.describe(refused) == "database unavailable"
    assert runner.describe(ValueError("bad shape")) == "ValueError: bad shape"


RAW_CLIPPED = {"preprocessing": {"method": "none"}, "loss": {"mode": "clipped_probabilities"}}


def test_a_job_asked_to_stop_early_stops_once_its_clipped_stall_has_held_two_epochs(
    worker_env: Settings, session: Session
) -> None:
    stuck = small_config(training={"epochs": 6}, **RAW_CLIPPED)
    job_id = add_job(session, stuck, stop_early=True)
    assert runner.run_job(job_id) == JobStatus.SUCCEEDED
    job = reload(session, job_id)
    assert job.stopped_early == {"epoch": 2, "condition": "clipped_stall"}
    assert metric_epochs(session, job_id) == [0, 1, 2]
    assert job.final_loss == session.get(EpochMetric, (job_id, 2)).loss  # type: ignore[union-attr]


def test_stopping_early_leaves_a_run_that_learns_and_a_job_not_asking_alone(
    worker_env: Settings, session: Session
) -> None:
    learns = add_job(session, small_config(training={"epochs": 3}), stop_early=True)
    assert runner.run_job(learns) == JobStatus.SUCCEEDED
    assert (reload(session, learns).stopped_early, metric_epochs(session, learns)) == (
        None,
        [0, 1, 2, 3],
    )
    not_asked = add_job(session, small_config(training={"epochs": 3}, **RAW_CLIPPED))
    assert runner.run_job(not_asked) == JobStatus.SUCCEEDED
    assert reload(session, not_asked).stopped_early is None
    assert metric_epochs(session, not_asked) == [0, 1, 2, 3]
