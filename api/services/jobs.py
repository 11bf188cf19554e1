"""Jobs: read, list with filters and sorting, per-epoch metrics and diagnostics."""

from collections.abc import Sequence
from typing import Literal, get_args

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.errors import JobNotFound
from api.pagination import decode_cursor, encode_cursor
from models.diagnostic import JobDiagnostic
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.metric import EpochMetric

SortField = Literal[
    "id",
    "created_at",
    "seed",
    "final_loss",
    "final_accuracy",
    "final_test_loss",
    "final_test_accuracy",
    "best_test_loss",
    "best_test_accuracy",
    "train_loss_auc",
    "epochs_to_accuracy_80",
    "epochs_to_accuracy_85",
]
SORT_FIELDS: tuple[str, ...] = get_args(SortField)
# Shown by GET /jobs/{id}: the diagnostics that tell a stuck run from a slow one at a glance.
SUMMARY_DIAGNOSTICS = (
    "probe.loss",
    "output.logit_std",
    "output.clipped_true_share",
    "output.saturated_share",
    "output.grad_norm",
    "hidden_1.dead_share",
    "hidden_1.update_ratio",
)


def get_job(session: Session, job_id: int, owner: str | None) -> Job:
    """The job, or JobNotFound (also when another key owns its experiment)."""
    query = select(Job).where(Job.id == job_id)
    if owner is not None:
        query = query.join(Experiment).where(Experiment.owner == owner)
    job = session.scalar(query)
    if job is None:
        raise JobNotFound(job_id)
    return job


def _filtered(
    *,
    owner: str | None,
    experiment_id: int | None,
    statuses: list[JobStatus],
    stuck: bool | None,
    diverged: bool | None,
) -> Select[Job]:
    query = select(Job)
    if owner is not None:
        query = query.join(Experiment).where(Experiment.owner == owner)
    if experiment_id is not None:
        query = query.where(Job.experiment_id == experiment_id)
    if statuses:
        query = query.where(Job.status.in_(statuses))
    if stuck is not None:
        query = query.where(Job.stuck.is_(stuck))
    if diverged is not None:
        has_diverged = Job.diverged_epoch.is_not(None)
        query = query.where(has_diverged if diverged else ~has_diverged)
    return query


def list_jobs(
    session: Session,
    *,
    owner: str | None = None,
    experiment_id: int | None = None,
    statuses: list[JobStatus],
    stuck: bool | None = None,
    diverged: bool | None = None,
    sort: str | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Job], str | None]:
    """A page of filtered jobs and the cursor of the next; creation order unless sorted.

    `sort` is a field name, `-` in front for descending; empty values come last, ties by id.
    """
    query = _filtered(
        owner=owner, experiment_id=experiment_id, statuses=statuses, stuck=stuck, diverged=diverged
    )
    if sort is None:
        after = decode_cursor(cursor, "after")
        if after is not None:
            query = query.where(Job.id > after)
        rows = session.scalars(query.order_by(Job.id).limit(limit + 1)).all()
        more = len(rows) > limit
        return rows[:limit], encode_cursor({"after": rows[limit - 1].id}) if more else None
    column = getattr(Job, sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    offset = decode_cursor(cursor, "offset") or 0
    query = query.order_by(order.nulls_last(), Job.id).offset(offset).limit(limit + 1)
    rows = session.scalars(query).all()
    more = len(rows) > limit
    return rows[:limit], encode_cursor({"offset": offset + limit}) if more else None


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


def diagnostics_at(
    session: Session, job: Job, epochs: Sequence[int]
) -> dict[int, dict[str, float | None]]:
    """The summary diagnostics of a job at the given epochs."""
    rows = session.execute(
        select(JobDiagnostic.epoch, JobDiagnostic.name, JobDiagnostic.value).where(
            JobDiagnostic.job_id == job.id,
            JobDiagnostic.epoch.in_(epochs),
            JobDiagnostic.name.in_(SUMMARY_DIAGNOSTICS),
        )
    )
    found: dict[int, dict[str, float | None]] = {epoch: {} for epoch in epochs}
    for epoch, name, value in rows:
        found[epoch][name] = value
    return found
