"""Experiments: read one (if the caller may), list and search them, count their jobs per status,
change their name, notes and tags, archive them."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from api.core.errors import ExperimentNotFound
from api.core.pagination import decode_cursor, encode_cursor
from models.base import utcnow
from models.event import JobEvent
from models.experiment import Experiment, ExperimentStatus, status_condition
from models.job import TERMINAL_STATUSES, Job


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


def state_of(session: Session, experiment: Experiment) -> tuple[object, ...]:
    """What the experiment's plot depends on: its name, how many jobs ended, its latest event
    (every status change and finished epoch writes one); with its creation time, since SQLite
    may give a deleted experiment's id to the next one."""
    ended = select(func.count()).where(
        Job.experiment_id == experiment.id, Job.status.in_(TERMINAL_STATUSES)
    )
    last_event = select(func.max(JobEvent.id)).where(JobEvent.experiment_id == experiment.id)
    row = session.execute(select(ended.scalar_subquery(), last_event.scalar_subquery())).one()
    return (experiment.created_at, experiment.name, *row)


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


@dataclass(frozen=True)
class ExperimentQuery:
    """Which experiments a list shows: all tags given, a name part, archived or not, a status."""

    tags: Sequence[str] = field(default_factory=tuple)
    name: str | None = None
    archived: bool = False
    status: ExperimentStatus | None = None


def _has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Experiment.tags, JSONB).contains([tag])
    values = func.json_each(Experiment.tags).table_valued("value")
    return exists(select(1).select_from(values).where(values.c.value == tag))


def _filtered(session: Session, query: Select[Any], where: ExperimentQuery) -> Select[Any]:
    query = query.where(
        Experiment.archived_at.is_not(None) if where.archived else Experiment.archived_at.is_(None)
    )
    if where.name:
        query = query.where(Experiment.name.icontains(where.name, autoescape=True))
    for tag in where.tags:
        query = query.where(_has_tag(session, tag))
    return _with_status(query, where.status) if where.status else query


def list_experiments(
    session: Session,
    *,
    owner: str | None,
    limit: int,
    cursor: str | None,
    where: ExperimentQuery = ExperimentQuery(),
) -> tuple[Sequence[Experiment], str | None]:
    """A page of the caller's experiments that match, newest first, and the next page's cursor."""
    query = select(Experiment).order_by(Experiment.id.desc()).limit(limit + 1)
    if owner is not None:
        query = query.where(Experiment.owner == owner)
    before = decode_cursor(cursor, "before")
    if before is not None:
        query = query.where(Experiment.id < before)
    rows = session.scalars(_filtered(session, query, where)).all()
    more = len(rows) > limit
    return rows[:limit], encode_cursor({"before": rows[limit - 1].id}) if more else None


def _with_status(query: Select[Experiment], status: ExperimentStatus) -> Select[Experiment]:
    """Only experiments whose jobs' counts, and whether a round may still follow, give
    `status` (models.experiment's one rule)."""
    matching = (
        select(Job.experiment_id).group_by(Job.experiment_id).having(status_condition(status))
    )
    return query.where(Experiment.id.in_(matching))


def update_experiment(
    session: Session, experiment_id: int, owner: str | None, changes: dict[str, Any]
) -> Experiment:
    """Set the given fields (name, notes, tags) of the caller's experiment."""
    experiment = get_experiment(session, experiment_id, owner)
    for name, value in changes.items():
        setattr(experiment, name, value)
    session.flush()
    return experiment


def set_archived(
    session: Session, experiment_id: int, owner: str | None, *, archived: bool
) -> Experiment:
    """Archive the experiment (kept, but left out of lists) or bring it back; idempotent."""
    experiment = get_experiment(session, experiment_id, owner)
    if archived and experiment.archived_at is None:
        experiment.archived_at = utcnow()
    elif not archived:
        experiment.archived_at = None
    session.flush()
    return experiment
