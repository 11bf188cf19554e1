"""The job_events table: an append-only log of status changes and finished epochs.

It feeds the Server-Sent Events streams: a client that reconnects with the last id it saw
resumes exactly where it left off, whichever process wrote the events.
"""

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Insert, Integer, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from models.base import IDS_NEVER_REUSED, Base, CreatedAtMixin, JSONType

STATUS = "status"
EPOCH = "epoch"


class JobEvent(CreatedAtMixin, Base):
    """One event of one job: its kind (`status` or `epoch`) and what it says."""

    __tablename__ = "job_events"
    __table_args__ = (
        Index("ix_job_events_job_id_id", "job_id", "id"),
        Index("ix_job_events_experiment_id_id", "experiment_id", "id"),
        IDS_NEVER_REUSED,
    )

    # BIGINT on PostgreSQL; SQLite only autoincrements an INTEGER primary key.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The run that wrote it (jobs.attempt); none for the API's events (queued, cancelled). A
    # stream shows epochs of the job's current attempt only, not those of a killed one.
    attempt: Mapped[int | None]


def job_event(
    job_id: int, experiment_id: int, kind: str, *, attempt: int | None = None, **data: Any
) -> Insert:
    """The insert of one event, by the attempt that ran (if a run wrote it); callers run it
    in the transaction that made the change."""
    return insert(JobEvent).values(
        job_id=job_id, experiment_id=experiment_id, kind=kind, attempt=attempt, data=data
    )
