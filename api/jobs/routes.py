"""Routes of /jobs: read, list, per-epoch metrics and diagnostics, cancel."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse

from analysis.names import words
from api.core.auth import OwnerDep
from api.core.inputs import DiagnosticName
from api.core.query_parameters import free_form
from api.deps import (
    DIGITS,
    ExperimentFilter,
    JobId,
    PageLimit,
    SessionDep,
    SettingsDep,
    TransactionRoute,
)
from api.events import service as events
from api.events.streams import EVENT_STREAM, ResumeAfter, event_stream
from api.jobs import cancellation, filters
from api.jobs import service as jobs
from api.jobs.schemas import (
    DiagnosticOut,
    DiagnosticsOut,
    DiagnosticsSummary,
    EpochMetricOut,
    JobConditionOut,
    JobOut,
    JobPage,
    MetricsOut,
)
from models.condition import ConditionName
from models.job import JobStatus
from models.limits import CHANCE_LOSS

router = APIRouter(prefix="/jobs", tags=["jobs"], route_class=TransactionRoute)
MAX_EPOCH = 10_000
SORT_HELP = "any filterable field; empty values last, ties by id"
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="the previous page's next_cursor")
]


@router.get("")
@free_form  # every other item of the query string is a filter, read by api.jobs.filters
def list_jobs(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    owner: OwnerDep,
    experiment_id: ExperimentFilter = None,
    job_status: Annotated[list[JobStatus], Query(alias="status")] = [],  # noqa: B006
    stuck: bool | None = None,
    diverged: bool | None = None,
    condition: Annotated[
        list[ConditionName], Query(description="jobs with any of these conditions")
    ] = [],  # noqa: B006
    sort: Annotated[str | None, Query(max_length=100, description=SORT_HELP)] = None,
    descending: Annotated[bool, Query(alias="desc", description="sort descending")] = False,
    limit: PageLimit = 50,
    cursor: CursorQuery = None,
) -> JobPage:
    """Jobs filtered by any field (see the grammar below), sorted or in creation order.

    Besides the named parameters, any `FIELD OP VALUE` item of the query string filters:
    `preprocessing.method=none,scale`, `result.test_loss<0.35`, `seed>=2`,
    `created_at>2026-11-25T12:00:00`, `summary.stuck=true`. OP is one of = != < <= > >=;
    a comma-separated list after = or != means any of those values. Fields: every config path
    (`preprocessing.divisor`, `training.learning_rate`, ...), `result.loss|accuracy|test_loss|
    test_accuracy`, `summary.*`, `id`, `experiment_id`, `seed`, `status`, `created_at`.
    `condition=dead_units` (repeatable: any of them) keeps the jobs whose diagnosis has it.
    """
    query = jobs.JobQuery(
        owner=owner,
        experiment_id=experiment_id,
        statuses=job_status,
        stuck=stuck,
        diverged=diverged,
        conditions=condition,
        where=filters.parse(request.url.query),
        sort=sort,
        descending=descending,
        limit=min(limit, settings.page_size_max),
        cursor=cursor,
    )
    rows, next_cursor = jobs.list_jobs(session, query)
    return JobPage(items=[JobOut.from_row(row) for row in rows], next_cursor=next_cursor)


@router.get("/{job_id}")
def read_job(job_id: JobId, session: SessionDep, owner: OwnerDep) -> JobOut:
    """One job: status, config, seed, progress, result or error, summaries, conditions,
    timestamps."""
    job, conditions = jobs.job_with_conditions(session, job_id, owner)
    out = JobOut.from_row(job)
    out.conditions = [JobConditionOut.of(row, conditions) for row in conditions]
    if job.diagnostics_first:
        out.diagnostics = DiagnosticsSummary(
            chance_loss=CHANCE_LOSS,
            epoch_0=job.diagnostics_first,
            last_epoch=job.epochs_done,
            last=job.diagnostics_last or {},
        )
    return out


@router.get("/{job_id}/metrics")
def read_job_metrics(job_id: JobId, session: SessionDep, owner: OwnerDep) -> MetricsOut:
    """The job's per-epoch metrics; epoch 0 is the evaluation before training."""
    rows = jobs.job_metrics(session, job_id, owner)
    return MetricsOut(items=[EpochMetricOut.from_row(row) for row in rows])


@router.get("/{job_id}/diagnostics")
def read_job_diagnostics(
    job_id: JobId,
    session: SessionDep,
    owner: OwnerDep,
    name: Annotated[
        list[DiagnosticName], Query(max_length=100, description="only these names")
    ] = [],  # noqa: B006
    epoch: Annotated[int | None, Query(ge=0, le=MAX_EPOCH), DIGITS] = None,
) -> DiagnosticsOut:
    """The job's diagnostics on its probe sample, one item per (epoch, name)."""
    rows = jobs.job_diagnostics(session, job_id, owner, names=name, epoch=epoch)
    items = [DiagnosticOut(epoch=row.epoch, name=row.name, value=row.value) for row in rows]
    return DiagnosticsOut(
        items=items, words={n: words(n) for n in sorted({row.name for row in rows})}
    )


@router.post("/{job_id}/cancel", status_code=status.HTTP_202_ACCEPTED)
def cancel_job(job_id: JobId, session: SessionDep, owner: OwnerDep) -> JobOut:
    """Cancel the job: a queued one never starts, a running one stops within its epoch."""
    return JobOut.from_row(cancellation.cancel_job(session, job_id, owner))


@router.get("/{job_id}/events", response_class=StreamingResponse, responses=EVENT_STREAM)
def job_events(
    job_id: JobId, request: Request, owner: OwnerDep, after: ResumeAfter
) -> StreamingResponse:
    """Server-Sent Events: each status change and finished epoch of the job, until it ends.

    Reconnect with `Last-Event-ID` (or `?last_event_id=`) to resume without loss. Open streams
    are bounded per key (429) and per server (503).
    """
    return event_stream(
        request,
        owner=owner,
        subject=lambda db: jobs.get_job(db, job_id, owner),
        fetch=lambda db, position: events.events_after(db, after=position, job_id=job_id),
        after=after,
    )
