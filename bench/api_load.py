"""The API under load from wrk: GET /jobs/{id} and POST /experiments, against one uvicorn
process, or against 1, 2 and 4 processes side by side."""

import re
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from harness.service import Service, running_api

PROCESS_COUNTS = (1, 2, 4)
SMALL_JOB = (
    '{"base": {"dataset": {"train_size": 100, "test_size": 100}, "training": {"epochs": 1}}}'
)
POST_SCRIPT = f"""
wrk.method = "POST"
wrk.body = '{SMALL_JOB}'
wrk.headers["Content-Type"] = "application/json"
"""


def _seconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict[str, float]:
    """Requests per second and latency percentiles of one wrk run."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    figures = {"requests_per_second": float(rate.group(1)) if rate else float("nan")}
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
        figures[f"p{percentile}_seconds"] = _seconds(match.group(1)) if match else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non_2xx"] = float(errors.group(1)) if errors else 0.0
    return figures


def _median_run(runs: list[dict[str, float]]) -> dict[str, Any]:
    """The run with the median rate, and every run's rate: the machine is shared and noisy."""
    ranked = sorted(runs, key=lambda run: run["requests_per_second"])
    rates = [round(run["requests_per_second"]) for run in runs]
    return ranked[len(ranked) // 2] | {"rounds_requests_per_second": rates}


def measure(database_url: str, redis_url: str, seconds: int = 5, rounds: int = 3) -> dict[str, Any]:
    """GET and POST figures against one API process on this database, started as make run
    starts it; GET and POST runs alternate, and the median of `rounds` runs is reported."""
    with (
        tempfile.TemporaryDirectory() as logs,
        running_api(database_url, redis_url, Path(logs)) as service,
    ):
        job_id = _one_job(service)
        gets, posts = _rounds({1: service}, job_id, Path(logs), seconds, rounds)
    return {"get_job": _median_run(gets[1]), "post_experiment": _median_run(posts[1])}


def compare_processes(
    database_url: str, redis_url: str, seconds: int = 5, rounds: int = 3
) -> dict[str, Any]:
    """GET and POST against 1, 2 and 4 API processes (uvicorn's workers, WEB_CONCURRENCY) on
    one database, all running at once and measured in turn, round after round, so that every
    count meets the same machine; each count's median round, its rate and p99 against one's."""
    with ExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        services = {}
        for count in PROCESS_COUNTS:
            (logs / str(count)).mkdir()
            env = {"WEB_CONCURRENCY": str(count)}
            services[count] = stack.enter_context(
                running_api(database_url, redis_url, logs / str(count), **env)
            )
        job_id = _one_job(services[1])
        gets, posts = _rounds(services, job_id, logs, seconds, rounds)
    return {
        "get_job": _against_one({n: _median_run(runs) for n, runs in gets.items()}),
        "post_experiment": _against_one({n: _median_run(runs) for n, runs in posts.items()}),
    }


def _one_job(service: Service) -> int:
    small = {"base": {"dataset": {"train_size": 100}}}
    return int(service.post("/experiments", small).json()["jobs"][0]["id"])


Runs = dict[int, list[dict[str, float]]]


def _rounds(
    services: dict[int, Service], job_id: int, logs: Path, seconds: int, rounds: int
) -> tuple[Runs, Runs]:
    """wrk against each service in turn, GET then POST, `rounds` times."""
    script = logs / "post.lua"
    script.write_text(POST_SCRIPT)
    gets: Runs = {count: [] for count in services}
    posts: Runs = {count: [] for count in services}
    for _ in range(rounds):
        for count, service in services.items():
            base = f"http://127.0.0.1:{service.port}"
            gets[count].append(wrk(f"{base}/jobs/{job_id}", seconds, 16))
            posts[count].append(wrk(f"{base}/experiments", seconds, 8, script))
    return gets, posts


def _against_one(by_count: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Each count's figures with its rate and p99 as multiples of one process's."""
    one = by_count[1]
    return {
        f"processes={count}": figures
        | {
            "rate_against_one": figures["requests_per_second"] / one["requests_per_second"],
            "p99_against_one": figures["p99_seconds"] / one["p99_seconds"],
        }
        for count, figures in by_count.items()
    }
