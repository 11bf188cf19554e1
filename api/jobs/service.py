"""Jobs: read, list with filters and sorting, per-epoch metrics and diagnostics."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from api.core.errors import JobNotFound
from api.core.pagination import (
    InvalidCursor,
    cursor_id,
    decode_cursor,
    decode_position,
    encode_cursor,
)
from api.jobs import filters
from models.condition import ConditionKind, ConditionName, JobCondition
from models.diagnostic import JobDiagnostic
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.metric import EpochMetric

Owned = TypeVar("Owned", bound=Select[*tuple[Any, ...]])


def _owned(query: Owned, owner: str | None) -> Owned:
    """The query limited to jobs of the owner's experiments (all jobs without keys)."""
    if owner is None:
        return query
    return query.join(Experiment, Experiment.id == Job.experiment_id).where(
        Experiment.owner == owner
    )


def get_job(session: Session, job_id: int, owner: str | None) -> Job:
    """The job, or JobNotFound (also when another key owns its experiment)."""
    job = session.scalar(_owned(select(Job).where(Job.id == job_id), owner))
    if job is None:
        raise JobNotFound(job_id)
    return job


@dataclass(frozen=True)
class JobQuery:
    """What `GET /jobs` asks for: its filters, its order and its page."""

    owner: str | None = None
    experiment_id: int | None = None
    statuses: Sequence[JobStatus] = ()
    stuck: bool | None = None
    diverged: bool | None = None
    conditions: Sequence[ConditionName] = ()
    where: ColumnElement[bool] | None = None
    sort: str | None = None
    descending: bool = False
    limit: int = 50
    cursor: str | None = None


def _filtered(request: JobQuery) -> Select[Job]:
    query = _owned(select(Job), request.owner)
    if request.experiment_id is not None:
        query = query.where(Job.experiment_id == request.experiment_id)
    if request.statuses:
        query = query.where(Job.status.in_(request.statuses))
    if request.stuck is not None:
        query = query.where(Job.stuck.is_(request.stuck))
    if request.diverged is not None:
        has_diverged = Job.diverged_epoch.is_not(None)
        query = query.where(has_diverged if request.diverged else ~has_diverged)
    if request.conditions:
        named = JobCondition.name.in_(request.conditions)
        query = query.where(exists().where(JobCondition.job_id == Job.id, named))
    return query if request.where is None else query.where(request.where)


def list_jobs(session: Session, request: JobQuery) -> tuple[Sequence[Job], str | None]:
    """A page of filtered jobs and the cursor of the next: creation order, or sorted by a field
    with empty values last and ties by id. Cursors mark the last row, so pages stay stable."""
    query = _filtered(request)
    if request.sort is None:
        after = decode_cursor(request.cursor, "after")
        if after is not None:
            query = query.where(Job.id > after)
        rows = session.scalars(query.order_by(Job.id).limit(request.limit + 1)).all()
        more = len(rows) > request.limit
        return rows[: request.limit], encode_cursor(
            {"after": rows[request.limit - 1].id}
        ) if more else None
    return _sorted_page(session, query, request)


def _sorted_page(
    session: Session, query: Select[Job], request: JobQuery
) -> tuple[Sequence[Job], str | None]:
    assert request.sort is not None
    target = filters.sortable(request.sort)
    order = target.expression.desc() if request.descending else target.expression.asc()
    position = decode_position(request.cursor)
    if position is not None:
        query = query.where(_beyond(target, request.descending, position))
    paged = (
        query.add_columns(target.expression)
        .order_by(order.nulls_last(), Job.id)
        .limit(request.limit + 1)
    )
    rows = session.execute(paged).all()
    if len(rows) <= request.limit:
        return [job for job, _ in rows], None
    last, value = rows[request.limit - 1]
    shown = value.isoformat() if isinstance(value, datetime) else value
    return [job for job, _ in rows[: request.limit]], encode_cursor({"id": last.id, "value": shown})


def _beyond(
    target: filters.Field, descending: bool, position: dict[str, Any]
) -> ColumnElement[bool]:
    """Rows after the cursor's (value, id) in the order (value with empty last, then id)."""
    last_id = cursor_id(position.get("id"))
    try:
        value = filters.cursor_value(target, position.get("value"))
    except ValueError:
        raise InvalidCursor() from None
    expression = target.expression
    if value is None:
        return and_(expression.is_(None), Job.id > last_id)
    further = expression < value if descending else expression > value
    return or_(further, and_(expression == value, Job.id > last_id), expression.is_(None))


# The most polled read, built once: building the statement cost more than running it.
_JOB_WITH_CONDITIONS = (
    select(Job, JobCondition)
    .outerjoin(JobCondition, JobCondition.job_id == Job.id)
    .where(Job.id == bindparam("job_id"))
    .order_by(
        JobCondition.kind == ConditionKind.NOTE,
        JobCondition.epoch,
        JobCondition.name,
        JobCondition.subject,
    )
)


def job_with_conditions(
    session: Session, job_id: int, owner: str | None
) -> tuple[Job, list[JobCondition]]:
    """The job and its conditions (problems first, then by epoch, name and subject), in one
    query."""
    rows = session.execute(_owned(_JOB_WITH_CONDITIONS, owner), {"job_id": job_id}).all()
    if not rows:
        raise JobNotFound(job_id)
    return rows[0][0], [condition for _, condition in rows if condition is not None]


def job_metrics(session: Session, job_id: int, owner: str | None) -> Sequence[EpochMetric]:
    """The job's per-epoch rows, epoch 0 first."""
    get_job(session, job_id, owner)
    return session.scalars(
        select(EpochMetric).where(EpochMetric.job_id == job_id).order_by(EpochMetric.epoch)
    ).all()


def job_diagnostics(
    session: Session,
    job_id: int,
    owner: str | None,
    *,
    names: Sequence[str] = (),
    epoch: int | None = None,
) -> Sequence[JobDiagnostic]:
    """The job's diagnostics by epoch and name, optionally only some names or one epoch."""
    get_job(session, job_id, owner)
    query = select(JobDiagnostic).where(JobDiagnostic.job_id == job_id)
    if names:
        query = query.where(JobDiagnostic.name.in_(names))
    if epoch is not None:
        query = query.where(JobDiagnostic.epoch == epoch)
    return session.scalars(query.order_by(JobDiagnostic.epoch, JobDiagnostic.name)).all()
