"""Job start overhead on a warm worker: from a job's claim to its first training batch."""

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.service import running_service

JOBS = 6


def measure(database_url: str, redis_url: str) -> dict[str, Any]:
    """Seconds from claim to first batch of one-epoch seed jobs, read from the worker's log."""
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(database_url, redis_url, Path(logs), NORMLAB_TF_THREADS="1") as service,
    ):
        # The worker child imports TensorFlow and loads the data; a job compiles its own model.
        time.sleep(20)
        for seed in range(JOBS):  # one at a time: each starts on an idle, warm worker
            body = {"base": {"training": {"epochs": 1}}, "seeds": [seed]}
            service.wait_experiment(service.post("/experiments", body).json()["id"])
        lines = (Path(logs) / "worker.log").read_text().splitlines()
    starts = [json.loads(line)["start_seconds"] for line in lines if '"start_seconds"' in line]
    return {
        "jobs": len(starts),
        "first_job_seconds": starts[0],
        "median_seconds_after_first": statistics.median(starts[1:]),
        "max_seconds_after_first": max(starts[1:]),
    }
