"""A worker's resident memory over 100 small jobs in a row, its children never recycled."""

import tempfile
from pathlib import Path
from typing import Any

from harness.processes import children, resident_mb, wait_for
from harness.service import running_service

JOBS = 100


def measure(database_url: str, redis_url: str) -> dict[str, Any]:
    """RSS of the worker's child after its first job and after the hundredth."""
    spec = {
        "base": {"dataset": {"train_size": 256, "test_size": 256}, "training": {"epochs": 1}},
        "seeds": list(range(JOBS)),
    }
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(
            database_url, redis_url, Path(logs), NORMLAB_MAX_TASKS_PER_CHILD="1000"
        ) as service,
    ):
        experiment_id = service.post("/experiments", spec).json()["id"]
        counts = f"/experiments/{experiment_id}"
        wait_for(
            lambda: True if service.get_json(counts)["counts"]["succeeded"] else None, 120, "a job"
        )
        [child] = children(service.processes["worker"].pid)
        first = resident_mb(child)
        service.wait_experiment(experiment_id, timeout=1800)
        last = resident_mb(child)
    return {
        "jobs": JOBS,
        "rss_mb_after_first": first,
        "rss_mb_after_last": last,
        "growth_mb": last - first,
    }
