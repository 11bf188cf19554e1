"""`make bench`: training speed, the sweep, the API under load, worker memory; printed and saved."""

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import adaptive, api_load, memory, query, start, stopping, sweep, training
from harness.databases import TEST_REDIS_URL, postgres_database, sqlite_database
from worker.training import runtime

RESULTS = Path(__file__).parent / "results" / "latest.json"


def show(title: str, figures: dict[str, Any]) -> None:
    """Print one section, numbers rounded."""
    print(f"\n== {title}")
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"  {key}: {shown}")


def main() -> None:
    """Run every benchmark in one invocation and write the figures to bench/results/latest.json."""
    runtime.configure(1)
    results: dict[str, Any] = {"training": training.measure()}
    show(
        "one job's training: plain model.fit against the service (seconds per epoch)",
        {k: v for k, v in results["training"].items() if not k.endswith("losses")},
    )
    results["sweep_flops"] = sweep.sweep_flops()
    results["matmul_flops_per_second_one_thread"] = sweep.matmul_flops_per_second()
    with tempfile.TemporaryDirectory() as directory, sqlite_database(Path(directory)) as url:
        results["sweep"] = [sweep.measure(url, TEST_REDIS_URL, c) for c in (1, 2)]
        results["adaptive"] = adaptive.measure(url, TEST_REDIS_URL)
        results["memory"] = memory.measure(url, TEST_REDIS_URL)
        results["job_start"] = start.measure(url, TEST_REDIS_URL)
        results["stop_early"] = stopping.measure(url, TEST_REDIS_URL)
        results["api_sqlite"] = api_load.measure(url, TEST_REDIS_URL)
    with postgres_database() as url:
        results["api_postgresql_processes"] = api_load.compare_processes(url, TEST_REDIS_URL)
    with postgres_database() as url:
        results["query_postgresql"] = query.measure(url, TEST_REDIS_URL)
    bound = results["sweep_flops"] / (2 * results["matmul_flops_per_second_one_thread"])
    results["sweep_arithmetic_lower_bound_seconds"] = bound
    for run in results["sweep"]:
        show(
            f"7 x 5 sweep through the API, concurrency {run['concurrency']}",
            run | {"arithmetic_lower_bound_seconds": bound},
        )
    for name, figures in results["adaptive"].items():
        show(f"adaptive: {name}", figures)
    show("worker memory over 100 small jobs (MB)", results["memory"])
    show("job start on a warm worker: claim to first batch (s)", results["job_start"])
    show("the seed question, 5 seeds, without and with stop_early", results["stop_early"])
    for name, figures in results["query_postgresql"].items():
        show(f"PostgreSQL, 100,000 jobs and 1,000,000 epoch rows: {name}", figures)
    for operation, figures in results["api_sqlite"].items():
        show(f"api_sqlite: {operation}", figures)
    for operation, counts in results["api_postgresql_processes"].items():
        for count, figures in counts.items():
            show(f"api_postgresql, {count}: {operation}", figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
