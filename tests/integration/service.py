"""The real service in subprocesses: uvicorn serving the API and a Celery worker that trains."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def free_port() -> int:
    """A local port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    """Poll `check` until it returns something other than None; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a process with its output in a log file; stop it (TERM, then KILL) afterwards."""
    with log.open("wb") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield child
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@dataclass
class Service:
    """A running API and worker, and an HTTP client for the API."""

    http: httpx.Client
    env: dict[str, str]
    logs: list[Path]

    def post(self, path: str, body: Any = None) -> httpx.Response:
        """POST JSON to the API."""
        return self.http.post(path, json=body)

    def get_json(self, path: str) -> Any:
        """GET a path that must answer 200 and return its JSON."""
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_experiment(self, experiment_id: int, timeout: float = 240) -> dict[str, Any]:
        """Poll the experiment until every job has ended."""

        def ended() -> dict[str, Any] | None:
            body: dict[str, Any] = self.get_json(f"/experiments/{experiment_id}")
            return body if body["status"] not in ("queued", "running") else None

        return wait_for(ended, timeout, f"experiment {experiment_id} to end", every=0.5)

    def tail_logs(self) -> str:
        """The last lines of every log, for a failing test's report."""
        return "\n".join(
            f"== {log.name}\n" + "\n".join(log.read_text().splitlines()[-40:]) for log in self.logs
        )


def service_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of the API and the worker: test database, test Redis, own queue."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "NORMLAB_QUEUE": f"normlab-it-{uuid.uuid4().hex[:10]}",
        "NORMLAB_CANCEL_POLL_SECONDS": "0.2",
        "NORMLAB_TF_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def running_service(database_url: str, redis_url: str, logs: Path) -> Iterator[Service]:
    """Start the API and one worker (concurrency 1) and wait until the API answers."""
    env = service_env(database_url, redis_url)
    port = free_port()
    api = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    worker = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.celery_app",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "INFO",
        "--hostname",
        f"it-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    api_log, worker_log = logs / "api.log", logs / "worker.log"
    with ExitStack() as stack:
        stack.enter_context(process(api, env, api_log))
        stack.enter_context(process(worker, env, worker_log))
        http = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
        service = Service(http, env, [api_log, worker_log])
        wait_for(lambda: _healthy(http), 60, "the API to answer /health")
        yield service


def _healthy(http: httpx.Client) -> bool | None:
    try:
        return True if http.get("/health").status_code == 200 else None
    except httpx.TransportError:
        return None
