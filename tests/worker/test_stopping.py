"""The search's pruner in the training process's path: a run's epoch is recorded, judged against
the finished trials' stored epochs, and a pruned run ends succeeded with that epoch's figures."""

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.epochs import EpochResult
from analysis.names import CLIPPED_TRUE_SHARE
from harness.training import small_config
from models.event import JobEvent
from models.experiment import Experiment
from models.job import JobStatus
from models.settings import Settings
from tests.rows import epoch_rows, job_row, reload
from worker import jobs

SEARCH = {
    "space": {"training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True}},
    "trials": 10,
}
CONFIG = small_config(training={"epochs": 3})
STALLED = {CLIPPED_TRUE_SHARE: 0.9}  # of the probe's images at the 1e-7 clip


def searched(session: Session, finished: int, pruner: str = "median") -> Experiment:
    """A search whose first `finished` trials ran 3 epochs: test loss 1.0, 0.6, 0.5."""
    experiment = Experiment(
        name="search", spec={"search": SEARCH | {"pruner": pruner}}, rounds_done=1
    )
    session.add(experiment)
    for number in range(finished):
        job = job_row(
            experiment, CONFIG, 0, trial=number, status=JobStatus.SUCCEEDED, final_test_loss=0.5
        )
        session.add(job)
        session.flush()
        losses = enumerate([2.3, 1.0, 0.6, 0.5])
        session.add_all(epoch_rows(job.id, ((e, v, 0.5, v, 0.5) for e, v in losses), seconds=1.0))
    session.commit()
    return experiment


def running_trial(session: Session, experiment: Experiment, number: int) -> jobs.ClaimedJob:
    """The search's next trial, claimed by this process."""
    job = job_row(experiment, CONFIG, 0, trial=number)
    session.add(job)
    session.commit()
    claimed = jobs.claim(job.id)
    assert claimed is not None
    return claimed


def epoch(number: int, test_loss: float) -> EpochResult:
    return EpochResult(number, test_loss, 0.5, test_loss, 0.5, 1.0, {})


def run_epochs(job: jobs.ClaimedJob, losses: list[float]) -> bool:
    """Record epoch 0 and then each loss's epoch; whether the job is then told to stop."""
    jobs.record_epoch(job, epoch(0, 2.3))
    for number, loss in enumerate(losses, start=1):
        jobs.record_epoch(job, epoch(number, loss))
    return jobs.heartbeat(job)


def test_a_run_worse_than_the_median_is_pruned_and_ends_succeeded_at_that_epoch(
    worker_env: Settings, session: Session
) -> None:
    experiment = searched(session, finished=5)
    job = running_trial(session, experiment, 5)
    assert run_epochs(job, [2.0]) is True  # told to stop before epoch 2
    assert jobs.finish(job, JobStatus.CANCELLED)  # how the loop reports a stop
    row = reload(session, job.id)
    assert (row.status, row.stopped_early) == ("succeeded", {"epoch": 1, "condition": "pruned"})
    assert (row.final_test_loss, row.epochs_done) == (2.0, 1)
    ended = session.scalars(select(JobEvent).where(JobEvent.job_id == job.id)).all()[-1]
    assert ended.data["stopped_early"] == {"epoch": 1, "condition": "pruned"}


@pytest.mark.parametrize(
    ("finished", "losses", "pruner"),
    [
        (5, [0.9], "median"),  # better than the median at epoch 1
        (4, [2.0], "median"),  # fewer finished trials than the pruner waits for
        (5, [2.0], "none"),
    ],
)
def test_a_run_the_rule_does_not_prune_goes_on(
    worker_env: Settings, session: Session, finished: int, losses: list[float], pruner: str
) -> None:
    job = running_trial(session, searched(session, finished, pruner), finished)
    assert run_epochs(job, losses) is False
    assert reload(session, job.id).stopped_early is None


def test_a_run_outside_a_search_is_never_judged(worker_env: Settings, session: Session) -> None:
    experiment = Experiment(name="plain", spec={})
    job = job_row(experiment, CONFIG, 0)
    session.add_all([experiment, job])
    session.commit()
    claimed = jobs.claim(job.id)
    assert claimed is not None
    assert run_epochs(claimed, [9.0]) is False


@pytest.mark.parametrize(("trial", "stopped"), [(0, True), (None, False)])
def test_a_search_trial_stops_once_its_failure_is_certain_before_any_trial_finished(
    worker_env: Settings, session: Session, trial: int | None, stopped: bool
) -> None:
    # A clipped stall held for two epochs; the job did not ask to stop early. Only a trial (of a
    # search with no finished trial: the pruner cannot judge yet) stops.
    spec = {"search": SEARCH} if trial is not None else {}
    experiment = Experiment(name="stalled", spec=spec, rounds_done=1)
    clipped = small_config(training={"epochs": 5}, loss={"mode": "clipped_probabilities"})
    job = job_row(experiment, clipped, 0, trial=trial)
    session.add_all([experiment, job])
    session.commit()
    claimed = jobs.claim(job.id)
    assert claimed is not None
    for number in range(3):
        jobs.record_epoch(claimed, EpochResult(number, 14.5, 0.1, 14.5, 0.1, 1.0, STALLED))
    assert jobs.heartbeat(claimed) is stopped
    stop = {"epoch": 2, "condition": "clipped_stall"} if stopped else None
    assert reload(session, job.id).stopped_early == stop


def test_a_new_attempt_forgets_an_earlier_attempts_stop(
    worker_env: Settings, session: Session
) -> None:
    from models import lifecycle
    from models.db import session_scope

    experiment = searched(session, finished=5)
    job = running_trial(session, experiment, 5)
    run_epochs(job, [2.0])
    with session_scope() as db:
        lifecycle.requeue(db, job, reason="worker lost")
    again = jobs.claim(job.id)
    assert again is not None
    values: dict[str, Any] = {"stopped_early": reload(session, job.id).stopped_early}
    assert values == {"stopped_early": None}
