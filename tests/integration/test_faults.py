"""Faults caused for real: killed processes, Redis restarted or down, the database away.

Each test starts its own API and workers, so what it breaks is its own; each is bounded in time.
"""

import os
import re
import signal
import time
from pathlib import Path

import pytest
import redis

from harness.processes import RedisServer, children, stop, wait_for
from harness.service import WITHOUT_TRAINING
from tests.integration.faults import (
    MEDIUM,
    SMALL,
    TERMINAL,
    StartService,
    assert_complete_success,
    database_away,
    logged,
    one_job,
    wait_ended,
    wait_mid_training,
)
from tests.integration.kinds import ANY_DATABASE

pytestmark = pytest.mark.integration


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
    service = fresh(processes=WITHOUT_TRAINING)
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
    service = fresh(private_redis.url, WITHOUT_TRAINING)
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


def test_jobs_whose_tasks_arrive_while_the_database_is_away_run_once_it_is_back(
    fresh: StartService, own_database_url: str
) -> None:
    # A claim on a locked SQLite file fails only after the busy timeout, kept short here: the
    # test is of the lock, not of the wait.
    sqlite = own_database_url.startswith("sqlite")
    locking = {"DATABASE_URL": f"{own_database_url}?timeout=3"} if sqlite else {}
    service = fresh(processes=WITHOUT_TRAINING, **locking)
    job_ids = [one_job(service, SMALL) for _ in range(2)]
    with database_away(own_database_url):
        service.start("worker")
        # Away until a claim has met it, however long the worker takes to start.
        met = lambda: logged(service, "worker", "database unreachable")  # noqa: E731
        wait_for(met, 240, "a claim to meet the database away")
    for job_id in job_ids:
        assert_complete_success(service, wait_ended(service, job_id))
