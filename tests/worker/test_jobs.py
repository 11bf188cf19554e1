"""The worker's writes to a job's row, against the real database."""

import math

from sqlalchemy.orm import Session

from analysis import stored
from analysis.epochs import EpochResult
from harness.training import small_config
from models.settings import Settings
from tests.rows import add_job, job_conditions, reload
from worker import jobs, maintenance


def _epoch(epoch: int, diagnostics: dict[str, float]) -> EpochResult:
    return EpochResult(epoch, 2.3, 0.1, 2.3, 0.1, 0.5, diagnostics)


def test_epochs_carry_the_summary_diagnostics_on_the_row_and_a_new_attempt_clears_them(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config())
    claimed = jobs.claim(job_id)
    assert claimed is not None
    start = {"probe.loss": 2.3, "output.grad_norm": math.nan, "input.max": 255.0}
    jobs.record_epoch(claimed, _epoch(0, start))
    first = {"probe.loss": 2.3, "output.grad_norm": None}  # NaN as null; input.* left out
    job = reload(session, job_id)
    assert (job.diagnostics_first, job.diagnostics_last) == (first, first)
    jobs.record_epoch(claimed, _epoch(1, {"probe.loss": 0.5, "hidden_1.dead_share": 0.1}))
    job = reload(session, job_id)
    assert job.diagnostics_first == first
    assert job.diagnostics_last == {"probe.loss": 0.5, "hidden_1.dead_share": 0.1}
    maintenance.reap_stale_jobs(stale_seconds=0.0, max_attempts=3)
    assert jobs.claim(job_id) is not None
    job = reload(session, job_id)
    assert (job.diagnostics_first, job.diagnostics_last, job.epochs_done) == (None, None, 0)


def test_non_finite_figures_come_back_exactly_and_the_diagnosis_reads_the_stored_rows(
    worker_env: Settings, session: Session
) -> None:
    job_id = add_job(session, small_config())
    claimed = jobs.claim(job_id)
    assert claimed is not None
    jobs.record_epoch(claimed, _epoch(0, {"probe.loss": 2.3}))
    broken = EpochResult(1, math.nan, 0.1, math.inf, 0.1, 0.5, {"output.grad_norm": -math.inf})
    jobs.record_epoch(claimed, broken)
    back = stored.job_epochs(session, job_id)
    assert math.isnan(back[1].loss)
    assert (back[1].test_loss, back[1].diagnostics) == (math.inf, {"output.grad_norm": -math.inf})
    job = reload(session, job_id)
    exploded = [c for c in job_conditions(session, job_id) if c.name == "exploded"]
    assert [c.statement for c in exploded] == [
        "The train loss became NaN at epoch 1: training diverged."
    ]
    assert job.diagnostics_last == {"output.grad_norm": None}  # the row's JSON has no infinity
