"""Experiments that settle themselves, end to end through the API on the real data: the seed
question with seeds until decided, and a 30-trial learning-rate search against a 30-point grid.

`python -m bench.adaptive` runs only these, on a SQLite database of its own.
"""

import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.databases import TEST_REDIS_URL, sqlite_database
from harness.service import Service, running_service

RATES = (1e-4, 0.3)
TEN_THOUSAND = {"dataset": {"train_size": 10000}, "training": {"epochs": 5}}
SEARCH = {
    "name": "learning rate for /255, search",
    "base": TEN_THOUSAND,
    "search": {
        "space": {"training.learning_rate": {"low": RATES[0], "high": RATES[1], "log": True}},
        "trials": 30,
    },
}
GRID = {
    "name": "learning rate for /255, 30-point log grid",
    "base": TEN_THOUSAND,
    "grid": {
        "training.learning_rate": [RATES[0] * (RATES[1] / RATES[0]) ** (i / 29) for i in range(30)]
    },
}


def _timed(service: Service, spec: dict[str, Any]) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Wall time from POST to the experiment's end, the experiment and its report."""
    start = time.perf_counter()
    created = service.post("/experiments", spec).json()
    done = service.wait_experiment(created["id"], timeout=7200)
    wall = time.perf_counter() - start
    return wall, done, service.get_json(f"/experiments/{created['id']}/report")


def seed_question(service: Service) -> dict[str, Any]:
    """The seed question with seeds {min 3, max 15}: every pair decided, seeds per config."""
    wall, done, report = _timed(service, {"preset": "seed-question-adaptive"})
    return {
        "seconds": wall,
        "stopped": done["stopped"],
        "every_pair_decided": all(
            c["verdict"] in ("different", "equivalent") for c in report["comparisons"]
        ),
        "verdicts": {f"{c['a']} vs {c['b']}": c["verdict"] for c in report["comparisons"]},
        "rounds": len(done["rounds"]),
        "seeds_per_config": done["rounds"][-1]["seeds"],
        "jobs": len(done["jobs"]),
    }


def _best_rate(report: dict[str, Any]) -> tuple[float, float]:
    """The best config's learning rate and mean final test loss."""
    best = min(
        (row for row in report["configs"] if row["final_test_loss"]),
        key=lambda row: row["final_test_loss"]["mean"],
    )
    return best["config"]["training"]["learning_rate"], best["final_test_loss"]["mean"]


def search_against_grid(service: Service) -> dict[str, Any]:
    """A 30-trial search (TPE, median pruner, best 3 re-run on 5 seeds) and a 30-point grid."""
    search_wall, searched, report = _timed(service, SEARCH)
    best = report["search"]["best"]
    complete = [t for t in report["search"]["trials"] if t["state"] == "complete"]
    best_trial = min(complete, key=lambda t: t["value"])
    grid_wall, _, grid_report = _timed(service, GRID)
    grid_rate, grid_loss = _best_rate(grid_report)
    return {
        "search_seconds": search_wall,
        "search_jobs": len(searched["jobs"]),
        "search_pruned": sum(1 for t in report["search"]["trials"] if t["state"] == "pruned"),
        "search_best_learning_rate": best["params"]["training.learning_rate"],
        "search_best_test_loss": best["final"]["mean"],
        "search_best_seeds": best["final"]["n"],
        "search_best_trial_learning_rate": best_trial["params"]["training.learning_rate"],
        "search_best_trial_test_loss": best_trial["value"],
        "grid_seconds": grid_wall,
        "grid_best_learning_rate": grid_rate,
        "grid_best_test_loss": grid_loss,
        "grid_step_factor": math.exp(math.log(RATES[1] / RATES[0]) / 29),
    }


def measure(database_url: str, redis_url: str) -> dict[str, Any]:
    """Both, on one worker of concurrency 2 (the default), after it has warmed up."""
    with (
        tempfile.TemporaryDirectory() as logs,
        running_service(
            database_url, redis_url, Path(logs), NORMLAB_WORKER_CONCURRENCY="2"
        ) as service,
    ):
        service.warm_up(jobs=2)
        return {
            "seed_question_adaptive": seed_question(service),
            "learning_rate_search": search_against_grid(service),
        }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        json.dump(measure(url, TEST_REDIS_URL), sys.stdout, indent=2)
    print()
