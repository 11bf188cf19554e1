"""Faults caused for real: killed processes, Redis restarted or down, the database away.

Each test starts its own API and workers, so what it breaks is its own; each is bounded in time.
"""

import os
import re
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from harness.databases import POSTGRES_ADMIN_URL, TEST_REDIS_URL
from harness.processes import RedisServer, children, stop, wait_for
from harness.service import Service, running_service

pytestmark = pytest.mark.integration
TERMINAL = ("succeeded", "failed", "cancelled")
MEDIUM = {"dataset": {"train_size": 12000, "test_size": 500}, "training": {"epochs": 4}}
SMALL = {"dataset": {"train_size": 500, "test_size": 200}, "training": {"epochs": 1}}

StartService = Callable[..., Service]
# A fault of a process or of Redis acts the same whatever the database: run on SQLite alone (the
# default). The database's own faults run on both kinds.
ANY_DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def fresh(own_database_url: str, tmp_path: Path) -> Iterator[StartService]:
    """Start a service of this test's own (any Redis URL, extra settings); stopped afterwards."""
    started: list[Any] = []

    def start(redis_url: str = TEST_REDIS_URL, **extra: str) -> Service:
        context = running_service(own_database_url, redis_url, tmp_path, **extra)
        started.append(context)
        return context.__enter__()

    yield start
    for context in reversed(started):
        context.__exit__(None, None, None)


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


@ANY_DATABASE
def test_killed_training_process_reruns_the_job_at_once_as_attempt_2(
    fresh: StartService,
) -> None:
    # A staleness beyond the test's timeouts: the redelivered task must take the job over
    # itself, its claiming process being gone, not wait for the reaper.
    service = fresh(NORMLAB_STALE_SECONDS="3600")
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    [child] = children(service.processes["worker"].pid)
    os.kill(child, signal.SIGKILL)
    job = wait_ended(service, job_id)
    assert job["attempt"] == 2
    assert_complete_success(service, job)


@ANY_DATABASE
def test_killed_worker_replaced_by_a_new_one_finishes_the_job(fresh: StartService) -> None:
    service = fresh(NORMLAB_VISIBILITY_TIMEOUT="10")
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    stop(service.processes["worker"], signal.SIGKILL)
    service.start("worker")
    job = wait_ended(service, job_id)
    assert job["attempt"] >= 2
    assert_complete_success(service, job)


@ANY_DATABASE
def test_redis_restarted_during_a_job_then_the_worker_takes_the_next(
    fresh: StartService, private_redis: RedisServer
) -> None:
    service = fresh(private_redis.url)
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    private_redis.stop()
    time.sleep(1)
    private_redis.start()
    first = wait_ended(service, job_id)
    assert first["status"] in TERMINAL
    if first["status"] == "succeeded":
        assert_complete_success(service, first)
    second = wait_ended(service, one_job(service, SMALL))
    assert_complete_success(service, second)


@ANY_DATABASE
def test_redis_down_at_post_answers_quickly_and_the_job_runs_when_it_is_back(
    fresh: StartService, private_redis: RedisServer
) -> None:
    service = fresh(private_redis.url)
    private_redis.stop()
    started = time.monotonic()
    response = service.post("/experiments", {"base": SMALL})
    assert time.monotonic() - started < 5  # a bound against hanging, not a speed figure
    assert response.status_code == 202
    job_id = response.json()["jobs"][0]["id"]
    assert service.job(job_id)["status"] == "queued"
    private_redis.start()
    assert_complete_success(service, wait_ended(service, job_id))


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


def test_database_away_for_a_moment_leaves_no_half_written_success(
    fresh: StartService, own_database_url: str
) -> None:
    service = fresh()
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    with database_away(own_database_url):
        time.sleep(3)
    job = wait_ended(service, job_id)
    if job["status"] == "succeeded":
        assert_complete_success(service, job)
    else:
        assert job["status"] == "failed"
        assert job["error"]
        assert job["result"] is None


@ANY_DATABASE
def test_cancel_holds_across_a_restart_of_the_workers(fresh: StartService) -> None:
    service = fresh()
    stop(service.processes["worker"])
    queued = one_job(service, SMALL)
    assert service.post(f"/jobs/{queued}/cancel").json()["status"] == "cancelled"
    service.start("worker")
    assert_complete_success(service, wait_ended(service, one_job(service, SMALL)))
    never = service.job(queued)
    assert (never["status"], never["attempt"], never["started_at"]) == ("cancelled", 0, None)
    running = one_job(service, {**MEDIUM, "training": {"epochs": 30}})
    wait_mid_training(service, running)
    assert service.post(f"/jobs/{running}/cancel").status_code == 202
    stop(service.processes["worker"], signal.SIGKILL)
    service.start("worker")
    assert wait_ended(service, running)["status"] == "cancelled"


def signal_pending(pid: int, sig: int) -> bool:
    """Whether a signal sent to the process waits, undelivered, while the process is stopped."""
    status = Path(f"/proc/{pid}/status").read_text()
    pending = int(re.search(r"^ShdPnd:\s*([0-9a-f]+)$", status, re.MULTILINE)[1], 16)  # type: ignore[index]
    return bool(pending & (1 << (sig - 1)))


@ANY_DATABASE
def test_job_past_its_time_limit_fails_and_the_worker_keeps_serving(fresh: StartService) -> None:
    # The training process is frozen (SIGSTOP) once the job runs, so the job cannot finish
    # within its limit however fast the machine is. The worker's main process still counts the
    # time and sends the soft limit's SIGUSR1; once it waits undelivered, training resumes and
    # meets it at once. The reaper must not take the frozen job for lost meanwhile.
    service = fresh(NORMLAB_MAX_JOB_SECONDS="15", NORMLAB_STALE_SECONDS="120")
    long = {"dataset": {"train_size": 60000, "test_size": 500}, "training": {"epochs": 50}}
    job_id = one_job(service, long)
    service.wait_job(job_id, lambda j: j["status"] == "running", 120, "the job to run")
    [child] = children(service.processes["worker"].pid)
    os.kill(child, signal.SIGSTOP)
    try:
        wait_for(lambda: signal_pending(child, signal.SIGUSR1) or None, 60, "the soft limit")
    finally:
        os.kill(child, signal.SIGCONT)
    ended = wait_ended(service, job_id)
    assert (ended["status"], ended["error"]) == ("failed", "time limit")
    assert ended["progress"]["epoch"] < 50, ended
    assert_complete_success(service, wait_ended(service, one_job(service, SMALL)))


def _redis(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url)


@ANY_DATABASE
def test_jobs_queued_when_redis_restarts_empty_run_once_it_is_back(
    fresh: StartService, private_redis: RedisServer
) -> None:
    service = fresh(private_redis.url)
    stop(service.processes["worker"])
    job_ids = [one_job(service, SMALL) for _ in range(2)]
    queue = service.env["NORMLAB_QUEUE"]
    with _redis(private_redis) as client:
        wait_for(lambda: client.llen(queue) >= 2 or None, 60, "the tasks to wait in Redis")
    private_redis.stop()
    private_redis.start()  # --save "": it comes back without a message
    service.start("worker")
    for job_id in job_ids:
        assert_complete_success(service, wait_ended(service, job_id))


@ANY_DATABASE
def test_a_job_a_killed_worker_had_taken_from_redis_runs_on_the_next_worker(
    fresh: StartService, private_redis: RedisServer
) -> None:
    # Its training processes frozen, the worker takes the task from Redis (it moves to the
    # transport's unacked set) but cannot start it; then the whole worker is killed. Redis
    # would hand the task out again only after the visibility timeout (12 h).
    service = fresh(private_redis.url)
    worker = service.processes["worker"]
    for child in wait_for(lambda: children(worker.pid) or None, 60, "the worker's pool"):
        os.kill(child, signal.SIGSTOP)
    job_id = one_job(service, SMALL)
    queue = service.env["NORMLAB_QUEUE"]
    with _redis(private_redis) as client:
        taken = lambda: (client.llen(queue) == 0 and client.hlen("unacked") >= 1) or None  # noqa: E731
        wait_for(taken, 60, "the worker to take the task")
    assert service.job(job_id)["status"] == "queued"
    stop(worker, signal.SIGKILL)
    service.start("worker")
    assert_complete_success(service, wait_ended(service, job_id))


def _logged(service: Service, name: str, text: str) -> bool | None:
    return True if text in (service.logs / f"{name}.log").read_text(errors="replace") else None


def test_jobs_whose_tasks_arrive_while_the_database_is_away_run_once_it_is_back(
    fresh: StartService, own_database_url: str
) -> None:
    service = fresh()
    stop(service.processes["worker"])
    job_ids = [one_job(service, SMALL) for _ in range(2)]
    with database_away(own_database_url):
        service.start("worker")
        # Away until a claim has met it, however long the worker takes to start.
        met = lambda: _logged(service, "worker", "database unreachable")  # noqa: E731
        wait_for(met, 240, "a claim to meet the database away")
    for job_id in job_ids:
        assert_complete_success(service, wait_ended(service, job_id))
