"""Many jobs on one worker, and the embedded SQLite database under concurrent writers."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.databases import TEST_REDIS_URL, sqlite_database
from harness.processes import children, resident_mb, wait_for
from harness.service import Service, running_service

pytestmark = pytest.mark.integration
MEMORY_GROWTH_LIMIT_MB = 100


@pytest.fixture
def sqlite_service(tmp_path: Path) -> Iterator[Service]:
    """A service on a SQLite file of its own, with the default recycling of worker children."""
    with sqlite_database(tmp_path) as url, running_service(url, TEST_REDIS_URL, tmp_path) as live:
        yield live


def worker_mb(service: Service) -> float:
    """Resident memory of the training worker: its main process and its current child."""
    main = service.processes["worker"].pid
    return resident_mb(main) + sum(resident_mb(child) for child in children(main))


def succeeded(service: Service, experiment_id: int) -> int:
    """How many of the experiment's jobs have succeeded."""
    return int(service.get_json(f"/experiments/{experiment_id}")["counts"]["succeeded"])


def test_fifty_jobs_in_a_row_keep_the_workers_memory_flat(
    sqlite_service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = {
        "base": {"dataset": {"train_size": 256, "test_size": 256}, "training": {"epochs": 1}},
        "seeds": list(range(50)),
    }
    experiment_id = sqlite_service.post("/experiments", spec).json()["id"]
    wait_for(lambda: True if succeeded(sqlite_service, experiment_id) >= 5 else None, 120, "5 jobs")
    after_five = worker_mb(sqlite_service)
    done = sqlite_service.wait_experiment(experiment_id, timeout=300)
    assert done["counts"]["succeeded"] == 50
    after_fifty = worker_mb(sqlite_service)
    with capsys.disabled():
        print(
            f"\nworker RSS (main + child): {after_five:.0f} MB after 5 jobs, "
            f"{after_fifty:.0f} MB after 50 (growth {after_fifty - after_five:+.0f} MB)"
        )
    assert after_fifty - after_five < MEMORY_GROWTH_LIMIT_MB


def test_sqlite_under_concurrent_api_and_worker_writes_never_reports_locked(
    sqlite_service: Service,
) -> None:
    long = {"base": {"dataset": {"train_size": 2000, "test_size": 200}, "training": {"epochs": 40}}}
    busy = sqlite_service.post("/experiments", long).json()
    busy_job = busy["jobs"][0]["id"]
    sqlite_service.wait_job(
        busy_job, lambda j: j["progress"]["epoch"] >= 1, 120, "training to write"
    )

    def client_work(number: int) -> list[int]:
        created = sqlite_service.post("/experiments", {"base": {"dataset": {"train_size": 100}}})
        codes = [created.status_code]
        job_id = created.json()["jobs"][0]["id"]
        codes.append(sqlite_service.http.post(f"/jobs/{job_id}/cancel").status_code)
        codes.append(sqlite_service.http.get(f"/jobs/{busy_job}").status_code)
        codes.append(sqlite_service.http.get(f"/jobs/{busy_job}/metrics").status_code)
        return codes

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = [code for codes in pool.map(client_work, range(60)) for code in codes]
    assert set(results) <= {200, 202}, sorted(set(results))
    assert sqlite_service.post(f"/experiments/{busy['id']}/cancel").status_code == 202
    final = sqlite_service.wait_job(busy_job, lambda j: j["status"] != "running", 60, "the cancel")
    assert final["status"] == "cancelled"
    assert "locked" not in (sqlite_service.logs / "api.log").read_text()
