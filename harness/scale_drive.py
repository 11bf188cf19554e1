"""The scale demo's client (harness.scale_demo), run on the client host: submits the experiment,
cuts the worker host's link while it runs a job, restores it once the job was released, waits
for every job to end and prints its figures as one JSON line.

Arguments: API URL, database URL, the switch's namespace and the cut host's port on it.
"""

import json
import sys
import time
from datetime import datetime
from functools import partial
from typing import Any

import httpx2 as httpx
from sqlalchemy import Engine, and_, func, select

from harness.scale_demo import CUT_HOST, SPEC, set_link, wait_until
from models.base import utcnow
from models.db import make_engine
from models.event import EPOCH, STATUS, JobEvent
from models.job import Job, JobStatus
from models.metric import EpochMetric

# Bounds against hanging, not expectations: the demo ends long before on any machine.
JOB_WAIT_SECONDS = 600
ALL_WAIT_SECONDS = 1800


def running_on_cut_host(engine: Engine, experiment_id: int) -> tuple[int, int] | None:
    """A job of the experiment in the middle of its run on the cut host: (id, attempt)."""
    with engine.connect() as connection:
        row = connection.execute(
            select(Job.id, Job.attempt).where(
                Job.experiment_id == experiment_id,
                Job.status == JobStatus.RUNNING,
                Job.claimed_by.startswith(f"{CUT_HOST}:"),
                Job.epochs_done >= 1,
            )
        ).first()
    return None if row is None else (row.id, row.attempt)


def held(engine: Engine, job_id: int, attempt: int) -> bool:
    """Whether the attempt still runs the job, as the database has it."""
    with engine.connect() as connection:
        status, current = connection.execute(
            select(Job.status, Job.attempt).where(Job.id == job_id)
        ).one()
    return bool(status == JobStatus.RUNNING and current == attempt)


def _released(engine: Engine, job_id: int, attempt: int) -> bool | None:
    return None if held(engine, job_id, attempt) else True


def released_at(engine: Engine, job_id: int, attempt: int) -> datetime:
    """When the attempt was released: its requeue (or end) event's time."""
    with engine.connect() as connection:
        created: datetime = connection.execute(
            select(func.min(JobEvent.created_at)).where(
                JobEvent.job_id == job_id,
                JobEvent.attempt == attempt,
                JobEvent.kind == STATUS,
                JobEvent.data["status"].as_string() != JobStatus.RUNNING,
            )
        ).scalar_one()
    return created


def cut_mid_job(engine: Engine, experiment_id: int, switch: str, port: str) -> float:
    """Cut the host's link while it runs a job (again with the next job if the one seen ended
    before the cut took hold); restore it once the job was released. Seconds to the release."""
    while True:
        running = partial(running_on_cut_host, engine, experiment_id)
        job_id, attempt = wait_until(running, JOB_WAIT_SECONDS, f"a job running on {CUT_HOST}")
        set_link(switch, port, up=False)
        cut_at = utcnow()
        # The host cannot write any more: what the database says now is what it did.
        mid_job = held(engine, job_id, attempt)
        if mid_job:
            release = partial(_released, engine, job_id, attempt)
            wait_until(release, JOB_WAIT_SECONDS, f"job {job_id} to be released")
        set_link(switch, port, up=True)
        if mid_job:
            return (released_at(engine, job_id, attempt) - cut_at).total_seconds()


def tally(engine: Engine, experiment_id: int) -> dict[str, int]:
    """Jobs, succeeded, lost (not succeeded) and run twice: jobs whose last epoch two attempts
    recorded, or with an epoch's metrics stored twice."""
    mine = Job.experiment_id == experiment_id
    last_epoch = and_(
        JobEvent.job_id == Job.id,
        JobEvent.kind == EPOCH,
        JobEvent.data["epoch"].as_integer() == Job.epochs,
    )
    with engine.connect() as connection:
        statuses = connection.execute(select(Job.status).where(mine)).scalars().all()
        twice = (
            connection.execute(
                select(Job.id)
                .join(JobEvent, last_epoch)
                .where(mine)
                .group_by(Job.id)
                .having(func.count(func.distinct(JobEvent.attempt)) > 1)
            )
            .scalars()
            .all()
        )
        doubled = (
            connection.execute(
                select(EpochMetric.job_id)
                .join(Job, Job.id == EpochMetric.job_id)
                .where(mine)
                .group_by(EpochMetric.job_id, EpochMetric.epoch)
                .having(func.count() > 1)
            )
            .scalars()
            .all()
        )
    succeeded = sum(status == JobStatus.SUCCEEDED for status in statuses)
    return {
        "jobs": len(statuses),
        "succeeded": succeeded,
        "lost": len(statuses) - succeeded,
        "run_twice": len(set(twice) | set(doubled)),
    }


def main() -> None:
    """Submit, cut, restore, wait; print the figures."""
    api_url, database_url, switch, port = sys.argv[1:5]
    engine = make_engine(database_url)
    with httpx.Client(base_url=api_url, timeout=30) as http:
        wait_until(lambda: _answers(http), 120, "the API")
        started = time.monotonic()
        response = http.post("/experiments", json=SPEC)
        assert response.status_code == 202, response.text
        experiment_id = int(response.json()["id"])
        recovered = cut_mid_job(engine, experiment_id, switch, port)
        ended = lambda: _ended(http, experiment_id)  # noqa: E731
        wait_until(ended, ALL_WAIT_SECONDS, "every job to end", every=1.0)
    figures: dict[str, Any] = tally(engine, experiment_id)
    figures |= {"recovered_seconds": recovered, "seconds": time.monotonic() - started}
    print(json.dumps(figures))


def _answers(http: httpx.Client) -> bool | None:
    try:
        return True if http.get("/health").status_code == 200 else None
    except httpx.TransportError:
        return None


def _ended(http: httpx.Client, experiment_id: int) -> bool | None:
    status = http.get(f"/experiments/{experiment_id}").json()["status"]
    return None if status in ("queued", "running") else True


if __name__ == "__main__":
    main()
