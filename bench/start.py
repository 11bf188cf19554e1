"""Job start overhead on a warm worker: from a job's claim to its first training batch; and
what the service's start cost each of its processes in CPU time."""

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from harness.processes import children, cpu_seconds
from harness.service import Service, running_service

JOBS = 6


def measure(database_url: str, redis_url: str) -> dict[str, Any]:
    """Seconds from claim to first batch of one-epoch seed jobs, read from the worker's log."""
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(database_url, redis_url, Path(logs), NORMLAB_TF_THREADS="1") as service,
    ):
        warm_up = service.warm_up()
        start_cpu = start_up_cpu(service)
        for seed in range(JOBS):  # one at a time: each starts on an idle, warm worker
            body = {"base": {"training": {"epochs": 1}}, "seeds": [seed]}
            service.wait_experiment(service.post("/experiments", body).json()["id"])
        lines = (Path(logs) / "worker.log").read_text().splitlines()
    logged = [json.loads(line) for line in lines if '"start_seconds"' in line]
    starts = [entry["start_seconds"] for entry in logged if entry.get("job_id") not in warm_up]
    return {
        "jobs": len(starts),
        "first_job_seconds": starts[0],
        "median_seconds_after_first": statistics.median(starts[1:]),
        "max_seconds_after_first": max(starts[1:]),
        "cpu_seconds_to_first_job_end": start_cpu,
    }


def start_up_cpu(service: Service) -> dict[str, float]:
    """CPU seconds each process of the service (with its children) used to start and run one
    tiny job."""
    return {
        name: round(cpu_seconds(child.pid) + sum(map(cpu_seconds, children(child.pid))), 2)
        for name, child in service.processes.items()
    }
