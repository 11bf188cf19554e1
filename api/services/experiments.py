"""Experiments: read one (if the caller may), list them, count their jobs per status."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from api.errors import ExperimentNotFound
from api.pagination import decode_cursor, encode_cursor
from models.experiment import Experiment, ExperimentStatus
from models.job import Job, JobStatus


def get_experiment(session: Session, experiment_id: int, owner: str | None) -> Experiment:
    """The experiment, or ExperimentNotFound (also when another key owns it)."""
    experiment = session.get(Experiment, experiment_id)
    if experiment is None or (owner is not None and experiment.owner != owner):
        raise ExperimentNotFound(experiment_id)
    return experiment


def experiment_jobs(session: Session, experiment_id: int) -> Sequence[Job]:
    """The experiment's jobs in creation order."""
    return session.scalars(
        select(Job).where(Job.experiment_id == experiment_id).order_by(Job.id)
    ).all()


def status_counts(session: Session, experiment_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each experiment, how many of its jobs are in each status."""
    rows = session.execute(
        select(Job.experiment_id, Job.status, func.count())
        .where(Job.experiment_id.in_(experiment_ids))
        .group_by(Job.experiment_id, Job.status)
    )
    counts: dict[int, dict[str, int]] = {experiment_id: {} for experiment_id in experiment_ids}
    for experiment_id, status, count in rows:
        counts[experiment_id][status] = count
    return counts


def list_experiments(
    session: Session,
    *,
    owner: str | None,
    limit: int,
    cursor: str | None,
    name: str | None = None,
    status: ExperimentStatus | None = None,
) -> tuple[Sequence[Experiment], str | None]:
    """A page of the caller's experiments, newest first, and the cursor of the next page;
    only those whose name contains `name` (any case) and whose status is `status`, if given."""
    query = select(Experiment).order_by(Experiment.id.desc()).limit(limit + 1)
    if owner is not None:
        query = query.where(Experiment.owner == owner)
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Experiment.name.ilike(f"%{escaped}%", escape="\\"))
    if status is not None:
        query = _with_status(query, status)
    before = decode_cursor(cursor, "before")
    if before is not None:
        query = query.where(Experiment.id < before)
    rows = session.scalars(query).all()
    more = len(rows) > limit
    return rows[:limit], encode_cursor({"before": rows[limit - 1].id}) if more else None


def _with_status(query: Select[Experiment], status: ExperimentStatus) -> Select[Experiment]:
    """Only experiments whose jobs' counts give `status`, by models.experiment_status's rules."""

    def count(job_status: JobStatus) -> ColumnElement[int]:
        return func.sum(case((Job.status == job_status, 1), else_=0))

    total = func.count(Job.id)
    active = count(JobStatus.QUEUED) + count(JobStatus.RUNNING)
    ended = active == 0
    having: dict[str, ColumnElement[bool]] = {
        "queued": count(JobStatus.QUEUED) == total,
        "running": and_(active > 0, count(JobStatus.QUEUED) < total),
        "failed": and_(ended, count(JobStatus.FAILED) > 0),
        "succeeded": count(JobStatus.SUCCEEDED) == total,
        "cancelled": and_(ended, count(JobStatus.FAILED) == 0, count(JobStatus.SUCCEEDED) < total),
    }
    matching = select(Job.experiment_id).group_by(Job.experiment_id).having(having[status])
    return query.where(Experiment.id.in_(matching))
