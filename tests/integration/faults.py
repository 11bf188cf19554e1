"""What the fault tests share: one-job experiments, waits on a job, the database made away."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness.databases import POSTGRES_ADMIN_URL
from harness.service import Service

TERMINAL = ("succeeded", "failed", "cancelled")
MEDIUM = {"dataset": {"train_size": 12000, "test_size": 500}, "training": {"epochs": 4}}
SMALL = {"dataset": {"train_size": 500, "test_size": 200}, "training": {"epochs": 1}}

# Starts a service of the test's own (the `fresh` fixture): any Redis URL, extra settings.
StartService = Callable[..., Service]


def one_job(service: Service, base: dict[str, Any]) -> int:
    """Submit a one-job experiment and return the job's id."""
    response = service.post("/experiments", {"base": base})
    assert response.status_code == 202, response.text
    return int(response.json()["jobs"][0]["id"])


def wait_mid_training(service: Service, job_id: int) -> None:
    """Until the job has finished its first epoch and is still running."""
    service.wait_job(
        job_id,
        lambda j: j["status"] == "running" and j["progress"]["epoch"] >= 1,
        120,
        "the job to be mid-training",
    )


def wait_ended(service: Service, job_id: int, timeout: float = 180) -> dict[str, Any]:
    """Until the job has ended; it must never stay running."""
    return service.wait_job(
        job_id, lambda j: j["status"] in TERMINAL, timeout, f"job {job_id} to end"
    )


def epochs_of(service: Service, job_id: int) -> list[int]:
    """The epochs stored for a job, in order."""
    return [m["epoch"] for m in service.get_json(f"/jobs/{job_id}/metrics")["items"]]


def assert_complete_success(service: Service, job: dict[str, Any]) -> None:
    """Succeeded with every epoch exactly once and a result equal to its last epoch."""
    assert job["status"] == "succeeded", job
    items = service.get_json(f"/jobs/{job['id']}/metrics")["items"]
    assert [m["epoch"] for m in items] == list(range(job["config"]["training"]["epochs"] + 1))
    assert job["result"]["loss"] == items[-1]["loss"]


@contextmanager
def database_away(database_url: str) -> Iterator[None]:
    """Make the database unreachable while inside: PostgreSQL refuses and drops connections;
    a SQLite file is locked exclusively."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        lock = sqlite3.connect(str(url.database), timeout=30)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            lock.rollback()
            lock.close()
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = url.database
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        try:
            yield
        finally:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()


def logged(service: Service, name: str, text: str) -> bool | None:
    return True if text in (service.logs / f"{name}.log").read_text(errors="replace") else None
