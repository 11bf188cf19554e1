"""Routes of /jobs: read, list, per-epoch metrics, cancel."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from api import services
from api.deps import SessionDep, SettingsDep
from api.schemas import EpochMetricOut, JobOut, JobPage, MetricsOut
from models.job import JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("")
def list_jobs(
    session: SessionDep,
    settings: SettingsDep,
    experiment_id: Annotated[int | None, Query(ge=1)] = None,
    job_status: Annotated[list[JobStatus], Query(alias="status")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        int | None, Query(ge=0, description="next_cursor of the previous page")
    ] = None,
) -> JobPage:
    """Jobs in creation order, filtered by experiment and status (repeat `status` for several)."""
    rows, next_cursor = services.list_jobs(
        session,
        experiment_id=experiment_id,
        statuses=job_status,
        limit=min(limit, settings.page_size_max),
        cursor=cursor,
    )
    return JobPage(items=[JobOut.from_row(row) for row in rows], next_cursor=next_cursor)


@router.get("/{job_id}")
def read_job(job_id: int, session: SessionDep) -> JobOut:
    """One job: status, config, seed, progress, result or error, timestamps."""
    return JobOut.from_row(services.get_job(session, job_id))


@router.get("/{job_id}/metrics")
def read_job_metrics(job_id: int, session: SessionDep) -> MetricsOut:
    """The job's per-epoch metrics; epoch 0 is the evaluation before training."""
    rows = services.job_metrics(session, job_id)
    return MetricsOut(items=[EpochMetricOut.from_row(row) for row in rows])


@router.post("/{job_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
def cancel_job(job_id: int, session: SessionDep) -> JobOut:
    """Cancel the job: a queued one never starts, a running one stops within its epoch."""
    return JobOut.from_row(services.cancel_job(session, job_id))
