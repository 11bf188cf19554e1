"""Recovery without the reaper (a staleness limit of an hour: a job comes back only if the
worker itself gives it up or takes it over), and a start-up that waits only for what jobs need."""

import signal
from pathlib import Path

import pytest

from harness.processes import children, stop, wait_for
from harness.service import Service
from tests.integration.faults import (
    MEDIUM,
    SMALL,
    StartService,
    assert_complete_success,
    database_away,
    logged,
    one_job,
    wait_ended,
    wait_mid_training,
)
from tests.integration.kinds import ANY_DATABASE

pytestmark = pytest.mark.integration
NO_REAPER = {"NORMLAB_STALE_SECONDS": "3600"}


def test_a_job_whose_process_lost_the_database_runs_again_once_it_is_back(
    fresh: StartService, own_database_url: str
) -> None:
    if own_database_url.startswith("sqlite"):
        pytest.skip("a SQLite file is locked, not lost: its writes wait for it")
    service = fresh(**NO_REAPER)
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    with database_away(own_database_url):
        # Away until the attempt's writes have run out of retries, however long that takes.
        gave_up = f"job {job_id}: database unreachable;"
        wait_for(lambda: logged(service, "worker", gave_up), 240, "the writes to give up")
    job = wait_ended(service, job_id)
    assert job["attempt"] == 2
    assert_complete_success(service, job)


@ANY_DATABASE
def test_a_killed_workers_running_job_is_taken_over_by_the_time_its_replacement_is_ready(
    fresh: StartService,
) -> None:
    # Redis would hand the task out again only after its visibility timeout (12 h).
    service = fresh(**NO_REAPER)
    job_id = one_job(service, MEDIUM)
    wait_mid_training(service, job_id)
    stop(service.processes["worker"], signal.SIGKILL)  # the main process and its children
    log_size = (service.logs / "worker.log").stat().st_size
    service.start("worker")

    def ready() -> bool | None:
        with (service.logs / "worker.log").open(errors="replace") as log:
            log.seek(log_size)
            return True if " ready." in log.read() else None

    wait_for(ready, 240, "the new worker to be ready")
    job = service.job(job_id)
    assert (job["status"], job["attempt"]) != ("running", 1), service.tail_logs()
    job = wait_ended(service, job_id)
    assert job["attempt"] == 2
    assert_complete_success(service, job)


@ANY_DATABASE
def test_a_new_worker_compiles_no_model_before_its_first_job_asks_for_one(
    fresh: StartService, tmp_path: Path
) -> None:
    # XLA writes down every module it compiles: a start-up that compiled the seed's model
    # (784 inputs into 128 units) ahead of jobs would leave it there beside the job's own.
    dumps = tmp_path / "xla"
    service = fresh(XLA_FLAGS=f"--xla_dump_to={dumps}")
    narrow = {**SMALL, "model": {"hidden_layers": [16]}}
    assert_complete_success(service, wait_ended(service, one_job(service, narrow)))
    compiled = [
        path.read_text(errors="replace") for path in dumps.glob("*before_optimizations.txt")
    ]
    assert any("[784,16]" in module for module in compiled)
    assert not any("[784,128]" in module for module in compiled)


@ANY_DATABASE
def test_only_the_training_worker_loads_tensorflow(service: Service) -> None:
    # The maintenance worker's solo pool announces its process as a prefork child does.
    def loaded(pid: int) -> bool:
        return "tensorflow" in Path(f"/proc/{pid}/maps").read_text()

    def training_child_loaded() -> bool | None:
        return any(loaded(pid) for pid in children(service.processes["worker"].pid)) or None

    wait_for(training_child_loaded, 240, "the training worker's child to load TensorFlow")
    # Ready only after its pool started, so after whatever a warm-up there would have loaded.
    wait_for(lambda: logged(service, "maintenance", " ready."), 240, "the maintenance worker")
    maintenance = service.processes["maintenance"].pid
    assert not any(loaded(pid) for pid in [maintenance, *children(maintenance)])
