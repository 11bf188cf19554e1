"""An experiment's status: one rule, the same answer in Python and in SQL."""

import itertools
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.experiment import (
    Experiment,
    ExperimentStatus,
    experiment_status,
    pending_round,
    status_condition,
)
from models.job import Job, JobStatus
from models.spec import JobConfig
from tests.rows import job_row

CONFIG = JobConfig().resolved()


def test_experiment_status_reads_the_jobs_counts() -> None:
    assert experiment_status({"queued": 2}) == "queued"
    assert experiment_status({"queued": 1, "succeeded": 1}) == "running"
    assert experiment_status({"running": 1, "failed": 1}) == "running"
    assert experiment_status({"succeeded": 2}) == "succeeded"
    assert experiment_status({"succeeded": 1, "failed": 1}) == "failed"
    assert experiment_status({"succeeded": 1, "cancelled": 1}) == "cancelled"
    # An adaptive experiment whose next round is still to be decided has not ended.
    assert experiment_status({"succeeded": 2}, pending=True) == "running"
    assert experiment_status({"queued": 2}, pending=True) == "queued"


def test_the_sql_condition_selects_the_experiments_python_gives_each_status(
    session: Session,
) -> None:
    expected: dict[int, ExperimentStatus] = {}
    # Plain; adaptive with a round still to come; adaptive and stopped.
    kinds: list[dict[str, Any]] = [{}, {"rounds_done": 1}, {"rounds_done": 2, "stopped": "decided"}]
    for statuses, kind in itertools.product(
        itertools.combinations_with_replacement(list(JobStatus), 2), kinds
    ):
        experiment = Experiment(name="status rule", spec={}, **kind)
        session.add_all([job_row(experiment, CONFIG, status=status) for status in statuses])
        session.flush()
        counts = Counter(str(s) for s in statuses)
        expected[experiment.id] = experiment_status(counts, pending=pending_round(experiment))
    session.commit()
    for status in JobStatus:
        query = (
            select(Job.experiment_id)
            .where(Job.experiment_id.in_(expected))
            .group_by(Job.experiment_id)
            .having(status_condition(status))
        )
        found = set(session.scalars(query))
        assert found == {i for i, derived in expected.items() if derived == status}, status
