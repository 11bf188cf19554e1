"""Jobs trained together in one stack: each ends with its own rows, as if it ran alone."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_REDIS_URL
from tests.integration.service import Service, running_service

pytestmark = pytest.mark.integration


@pytest.fixture
def stacking(database_url: str, tmp_path: Path) -> Iterator[Service]:
    """A service that stacks jobs, up to 18 a task (the suite's shared one trains them alone)."""
    with running_service(database_url, TEST_REDIS_URL, tmp_path, NORMLAB_STACK_SIZE="18") as live:
        yield live


def test_a_sweep_trained_as_a_stack_gives_every_job_its_own_record(stacking: Service) -> None:
    spec: dict[str, Any] = {
        "base": {"dataset": {"train_size": 1500, "test_size": 300}, "training": {"epochs": 2}},
        "variants": [
            {"preprocessing": {"method": "scale", "divisor": 255}},
            {"preprocessing": {"method": "none"}, "loss": {"mode": "clipped_probabilities"}},
        ],
        "seeds": [0, 1],
    }
    done = stacking.wait_experiment(stacking.post("/experiments", spec).json()["id"])
    assert done["counts"]["succeeded"] == 4
    for job in done["jobs"]:
        items = stacking.get_json(f"/jobs/{job['id']}/metrics")["items"]
        assert [item["epoch"] for item in items] == [0, 1, 2]
        assert job["result"]["loss"] == items[-1]["loss"]
        assert job["attempt"] == 1
        assert job["summary"] is not None
        names = {
            d["name"] for d in stacking.get_json(f"/jobs/{job['id']}/diagnostics?epoch=1")["items"]
        }
        assert "hidden_1.update_ratio" in names
    raw = [job for job in done["jobs"] if job["config"]["preprocessing"]["method"] == "none"]
    assert all(job["result"]["loss"] > 10 for job in raw)  # stuck, as alone
    log = (stacking.logs / "worker.log").read_text()
    assert "stack of 4 jobs started" in log
    report = stacking.get_json(f"/experiments/{done['id']}/report")
    assert "clipped_samples_give_no_gradient" in {finding["id"] for finding in report["findings"]}


def test_cancelling_one_job_of_a_stack_leaves_the_others_running(stacking: Service) -> None:
    spec = {
        "base": {"dataset": {"train_size": 12000, "test_size": 300}, "training": {"epochs": 4}},
        "seeds": [0, 1, 2],
    }
    created = stacking.post("/experiments", spec).json()
    target = created["jobs"][1]["id"]
    stacking.wait_job(target, lambda j: j["progress"]["epoch"] >= 1, 120, "the stack's first epoch")
    assert stacking.post(f"/jobs/{target}/cancel").status_code == 202
    done = stacking.wait_experiment(created["id"])
    assert [job["status"] for job in done["jobs"]] == ["succeeded", "cancelled", "succeeded"]
    assert done["jobs"][1]["progress"]["epoch"] < 4
