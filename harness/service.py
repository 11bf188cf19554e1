"""The real service in subprocesses: uvicorn, a training worker, a maintenance worker with beat."""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx

from harness.databases import RUN_QUEUES
from harness.processes import free_port, reap, signal_group, wait_for

ROOT = Path(__file__).resolve().parents[1]
# Short enough for tests: a heartbeat every 0.2 s, stale after 10 s (a job's start, compiling
# a new model on a loaded machine, can take several seconds between two), maintenance every second.
FAST_MAINTENANCE = {
    "NORMLAB_CANCEL_POLL_SECONDS": "0.2",
    "NORMLAB_STALE_SECONDS": "10",
    "NORMLAB_MAINTENANCE_SECONDS": "1",
    "NORMLAB_RELAY_GRACE_SECONDS": "1",
}


class Service:
    """A running API, training worker and maintenance worker, and an HTTP client for the API."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def start(self, name: str) -> subprocess.Popen[bytes]:
        """Start one of the processes (again), its output appended to its log."""
        with (self.logs / f"{name}.log").open("ab") as out:
            child = subprocess.Popen(
                self._command(name),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = child
        return child

    def _command(self, name: str) -> list[str]:
        celery = [
            sys.executable,
            "-m",
            "celery",
            "--quiet",
            "-A",
            "worker.celery_app",
            "worker",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ]
        unique = uuid.uuid4().hex[:8]
        if name == "api":
            # As make run and docker-compose.yml start it.
            return [
                sys.executable,
                "-m",
                "api.serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ]
        if name == "worker":
            concurrency = self.env.get("NORMLAB_WORKER_CONCURRENCY", "1")
            return [*celery, "--concurrency", concurrency, "--hostname", f"it-{unique}@%h"]
        queue = self.env["NORMLAB_QUEUE"] + ".maintenance"
        return [
            *celery,
            "--pool",
            "solo",
            "--beat",
            "--queues",
            queue,
            "--hostname",
            f"it-maintenance-{unique}@%h",
            "--schedule",
            str(self.logs / f"beat-{unique}"),
        ]

    def stop_all(self) -> None:
        """Stop every process, gracefully first; all are signalled before any is waited for."""
        running = [child for child in self.processes.values() if child.poll() is None]
        for child in running:
            signal_group(child)
        for child in running:
            reap(child)
        self.http.close()

    def post(self, path: str, body: Any = None) -> httpx.Response:
        """POST JSON to the API."""
        return self.http.post(path, json=body)

    def get_json(self, path: str) -> Any:
        """GET a path that must answer 200 and return its JSON."""
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def job(self, job_id: int) -> dict[str, Any]:
        """GET /jobs/{id}."""
        body: dict[str, Any] = self.get_json(f"/jobs/{job_id}")
        return body

    def wait_experiment(self, experiment_id: int, timeout: float = 240) -> dict[str, Any]:
        """Poll the experiment until every job has ended."""

        def ended() -> dict[str, Any] | None:
            body: dict[str, Any] = self.get_json(f"/experiments/{experiment_id}")
            return body if body["status"] not in ("queued", "running") else None

        return wait_for(ended, timeout, f"experiment {experiment_id} to end", every=0.5)

    def warm_up(self, jobs: int = 1) -> set[int]:
        """Run `jobs` one-epoch jobs on a small subset to their end, so the worker's children have
        started (imported TensorFlow, loaded the data) before anything is timed; their job ids.
        A wait on the worker itself, where a fixed sleep would be too short on a slow machine."""
        tiny = {"dataset": {"train_size": 256, "test_size": 256}, "training": {"epochs": 1}}
        created = self.post("/experiments", {"base": tiny, "seeds": list(range(jobs))}).json()
        ended = self.wait_experiment(created["id"])
        return {job["id"] for job in ended["jobs"]}

    def wait_job(
        self, job_id: int, done: Callable[[dict[str, Any]], bool], timeout: float, what: str
    ) -> dict[str, Any]:
        """Poll a job until `done` holds for it."""
        return wait_for(lambda: job if done(job := self.job(job_id)) else None, timeout, what)

    def tail_logs(self) -> str:
        """The last lines of every log, for a failing test's report."""
        parts = []
        for log in sorted(self.logs.glob("*.log")):
            parts.append(
                f"== {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            )
        return "\n".join(parts)


SERVICE_PROCESSES = ("api", "worker", "maintenance")
# Jobs stay queued until the test starts the training worker.
WITHOUT_TRAINING = ("api", "maintenance")


def service_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of every process: test database, test Redis, a queue of its own."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "NORMLAB_QUEUE": f"{RUN_QUEUES}it-{uuid.uuid4().hex[:10]}",
        "NORMLAB_TF_THREADS": "1",
        "NORMLAB_API_GC_FREEZE": "true",  # the server as deployed, whatever the tests' own say
        "PYTHONUNBUFFERED": "1",
        **FAST_MAINTENANCE,
        **extra,
    }


@contextmanager
def running_service(
    database_url: str,
    redis_url: str,
    logs: Path,
    *,
    processes: tuple[str, ...] = SERVICE_PROCESSES,
    **extra: str,
) -> Iterator[Service]:
    """Start the API, a training worker (concurrency 1) and the maintenance worker, or those of
    them named (a test starts the training worker later with `Service.start`)."""
    env = service_env(database_url, redis_url, **extra)
    with _running(Service(env, logs), processes) as service:
        yield service


@contextmanager
def running_api(database_url: str, redis_url: str, logs: Path, **extra: str) -> Iterator[Service]:
    """Start the API alone, no worker: what load and query benchmarks measure."""
    env = service_env(database_url, redis_url, **extra)
    with _running(Service(env, logs), ("api",)) as service:
        yield service


@contextmanager
def _running(service: Service, names: tuple[str, ...]) -> Iterator[Service]:
    try:
        for name in names:
            service.start(name)
        wait_for(lambda: _answers(service.http), 60, "the API to answer /health")
        yield service
    finally:
        service.stop_all()


def _answers(http: httpx.Client) -> bool | None:
    try:
        return True if http.get("/health").status_code in (200, 503) else None
    except httpx.TransportError:
        return None
