"""The experiments table: one submitted spec, expanded into jobs."""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Text, case, exists, func, not_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import IDS_NEVER_REUSED, Base, CreatedAtMixin, JSONType, UTCDateTime
from models.job import Job, JobStatus

# An experiment's status takes the values of its jobs' statuses.
ExperimentStatus = JobStatus


class Experiment(CreatedAtMixin, Base):
    """A named set of jobs, one per (config, seed) of its spec."""

    __tablename__ = "experiments"
    __table_args__ = IDS_NEVER_REUSED

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The API key's name that created it; None when the API runs without keys.
    owner: Mapped[str | None] = mapped_column(String(100), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    # Set while archived: lists leave the experiment out unless asked for archived ones.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The experiment whose report's follow-ups this one runs (POST /experiments/{id}/follow-ups);
    # a plain id, not a foreign key: deleting the original leaves this experiment as it was.
    follow_up_of: Mapped[int | None] = mapped_column(index=True)
    # An adaptive experiment (seeds until decided, or a search) adds jobs in rounds: what each
    # round added, as the API shows it; how many rounds were added, the fence two processes
    # adding the same round race on (UPDATE ... WHERE rounds_done = k); and why it stopped
    # adding. All null for an experiment whose jobs are all known when it is submitted.
    rounds: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    rounds_done: Mapped[int | None]
    stopped: Mapped[str | None] = mapped_column(String(16))
    jobs: Mapped[list["Job"]] = relationship(
        back_populates="experiment", lazy="raise", order_by="Job.id", passive_deletes=True
    )


def pending_round(experiment: "Experiment") -> bool:
    """Whether an adaptive experiment may still add a round: its jobs ending is not its end."""
    return experiment.rounds_done is not None and experiment.stopped is None


def _status_rule(
    count: Callable[[JobStatus], Any], total: Any, pending: Any, settled: Any
) -> dict[JobStatus, Any]:
    """When an experiment is in each status, from how many of its jobs are in each and whether
    a round may still follow (`pending`, and its negation `settled`): written once with
    operators that Python's values and SQL's expressions both have, so it holds alike in
    Python (experiment_status) and in SQL (status_condition).

    Running while any job is queued or running and some job has started, or while its next
    round is still to be decided; queued if no job has started; once all have ended and no
    round follows: succeeded if all succeeded, failed if any failed, else cancelled.
    """
    queued, active = count(JobStatus.QUEUED), count(JobStatus.QUEUED) + count(JobStatus.RUNNING)
    failed, succeeded = count(JobStatus.FAILED), count(JobStatus.SUCCEEDED)
    ended = (active == 0) & settled
    return {
        JobStatus.QUEUED: (active > 0) & (queued == total),
        JobStatus.RUNNING: ((active > 0) & (queued < total)) | ((active == 0) & pending),
        JobStatus.FAILED: ended & (failed > 0),
        JobStatus.SUCCEEDED: ended & (succeeded == total),
        JobStatus.CANCELLED: ended & (failed == 0) & (succeeded < total),
    }


def experiment_status(counts: Mapping[str, int], *, pending: bool = False) -> ExperimentStatus:
    """An experiment's status, derived from how many of its jobs are in each status and
    whether a round may still follow."""
    total = sum(counts.values())
    rule = _status_rule(lambda status: counts.get(status, 0), total, pending, not pending)
    return next(status for status, holds in rule.items() if holds)


def status_condition(status: ExperimentStatus) -> ColumnElement[bool]:
    """The same rule in SQL: a HAVING condition over one experiment's jobs grouped together
    (by experiment_id, which the pending round's subquery reads)."""

    def count(job_status: JobStatus) -> ColumnElement[int]:
        return func.sum(case((Job.status == job_status, 1), else_=0))

    pending = exists().where(
        Experiment.id == Job.experiment_id,
        Experiment.rounds_done.is_not(None),
        Experiment.stopped.is_(None),
    )
    rule = _status_rule(count, func.count(Job.id), pending, not_(pending))
    condition: ColumnElement[bool] = rule[status]
    return condition
