"""The API under load from wrk: GET /jobs/{id} and POST /experiments, one uvicorn process."""

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from harness.service import running_api

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
        small = {"base": {"dataset": {"train_size": 100}}}
        job_id = service.post("/experiments", small).json()["jobs"][0]["id"]
        base = f"http://127.0.0.1:{service.port}"
        script = Path(logs) / "post.lua"
        script.write_text(POST_SCRIPT)
        gets, posts = [], []
        for _ in range(rounds):
            gets.append(wrk(f"{base}/jobs/{job_id}", seconds, 16))
            posts.append(wrk(f"{base}/experiments", seconds, 8, script))
    return {"get_job": _median_run(gets), "post_experiment": _median_run(posts)}
