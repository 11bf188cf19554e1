"""The seed question's 5 seeds with and without `stop_early`, in one run: wall time each, and
whether the report's verdicts stay the same."""

import tempfile
import time
from pathlib import Path
from typing import Any

from harness.service import Service, running_service

SEED_QUESTION = {"preset": "seed-question", "seeds": [0, 1, 2, 3, 4]}


def _run(service: Service, stop_early: bool) -> dict[str, Any]:
    start = time.perf_counter()
    created = service.post("/experiments", SEED_QUESTION | {"stop_early": stop_early}).json()
    done = service.wait_experiment(created["id"], timeout=3600)
    wall = time.perf_counter() - start
    report = service.get_json(f"/experiments/{created['id']}/report")
    return {
        "seconds": wall,
        "jobs": len(done["jobs"]),
        "stopped_early": sum(1 for job in done["jobs"] if job["stopped_early"]),
        "epochs_trained": sum(job["progress"]["epoch"] for job in done["jobs"]),
        "verdicts": sorted((c["a"], c["b"], c["verdict"]) for c in report["comparisons"]),
    }


def measure(database_url: str, redis_url: str) -> dict[str, Any]:
    """Both runs on one warm worker, the plain one first."""
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(database_url, redis_url, Path(logs)) as service,
    ):
        service.warm_up()
        plain, stopping = _run(service, False), _run(service, True)
    return {
        "seconds_without": plain["seconds"],
        "seconds_with": stopping["seconds"],
        "ratio": stopping["seconds"] / plain["seconds"],
        "jobs": plain["jobs"],
        "stopped_early": stopping["stopped_early"],
        "epochs_trained_without": plain["epochs_trained"],
        "epochs_trained_with": stopping["epochs_trained"],
        "same_verdicts": plain["verdicts"] == stopping["verdicts"],
    }
