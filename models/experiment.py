"""The experiments table: one submitted spec, expanded into jobs."""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import IDS_NEVER_REUSED, Base, CreatedAtMixin, JSONType, UTCDateTime

if TYPE_CHECKING:
    from models.job import Job

ExperimentStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


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


def experiment_status(counts: Mapping[str, int], *, pending: bool = False) -> ExperimentStatus:
    """An experiment's status, derived from how many of its jobs are in each status.

    Running while any job is queued or running and some job has started, or while its next
    round is still to be decided (`pending`); queued if no job has started; once all have ended:
    succeeded if all succeeded, failed if any failed, else cancelled.
    """
    active = counts.get("queued", 0) + counts.get("running", 0)
    total = sum(counts.values())
    if pending and not active:
        return "running"
    if active:
        return "queued" if counts.get("queued", 0) == total else "running"
    if counts.get("failed", 0):
        return "failed"
    if counts.get("succeeded", 0) == total:
        return "succeeded"
    return "cancelled"
