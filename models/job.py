"""The jobs table: one training run of one config with one seed, and its lifecycle."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import IDS_NEVER_REUSED, Base, CreatedAtMixin, JSONType, UTCDateTime

if TYPE_CHECKING:
    from models.experiment import Experiment


class JobStatus(StrEnum):
    """Where a job is in its life; the last three are terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE_STATUSES = frozenset(JobStatus) - TERMINAL_STATUSES
_STATUS_VALUES = ", ".join(f"'{status.value}'" for status in JobStatus)


class CurveSummary(BaseModel):
    """The learning curve in a few numbers, written when the job ends (see analysis.curves)."""

    best_test_loss: float | None = Field(description="lowest test loss over the epochs")
    best_test_loss_epoch: int | None = Field(description="the epoch of the lowest test loss")
    best_test_accuracy: float | None = Field(description="highest test accuracy over the epochs")
    best_test_accuracy_epoch: int | None = Field(
        description="the epoch of the highest test accuracy"
    )
    epochs_to_accuracy_80: int | None = Field(
        description="first epoch with test accuracy of at least 0.80; null if never"
    )
    epochs_to_accuracy_85: int | None = Field(
        description="first epoch with test accuracy of at least 0.85; null if never"
    )
    train_loss_auc: float | None = Field(description="area under the train loss over the epochs")
    stuck: bool = Field(description="stuck rather than slow (see docs/diagnosis.md)")
    diverged_epoch: int | None = Field(
        description="first epoch whose loss exploded (10x its epoch-0 value) or was not finite"
    )

    def columns(self) -> dict[str, object]:
        """The summary as column values of the jobs table."""
        return self.model_dump()


# The jobs table's columns that hold the summary: one each, of the same name.
CURVE_SUMMARY_COLUMNS = tuple(CurveSummary.model_fields)
# The last epoch's figures (named as epoch_metrics' columns), and the jobs table's column that
# holds each once the job succeeded.
FINAL_COLUMNS = {
    figure: f"final_{figure}" for figure in ("loss", "accuracy", "test_loss", "test_accuracy")
}


class Job(CreatedAtMixin, Base):
    """A training run; the worker claims it, writes its epochs, then ends it."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status"),
        Index("ix_jobs_experiment_id_id", "experiment_id", "id"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED, index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The config's canonical JSON hashed: jobs that differ only by seed share it.
    config_key: Mapped[str] = mapped_column(String(64), index=True)
    seed: Mapped[int]
    epochs: Mapped[int]
    epochs_done: Mapped[int] = mapped_column(default=0)
    # Progress within the running epoch, written with each heartbeat.
    batches_done: Mapped[int] = mapped_column(default=0)
    batches_total: Mapped[int] = mapped_column(default=0)
    attempt: Mapped[int] = mapped_column(default=0)
    final_loss: Mapped[float | None] = mapped_column(Float)
    final_accuracy: Mapped[float | None] = mapped_column(Float)
    # Indexed: the figures GET /jobs is most often filtered and sorted on.
    final_test_loss: Mapped[float | None] = mapped_column(Float, index=True)
    final_test_accuracy: Mapped[float | None] = mapped_column(Float, index=True)
    # Learning-curve summary (CurveSummary), written when the job ends.
    best_test_loss: Mapped[float | None] = mapped_column(Float, index=True)
    best_test_loss_epoch: Mapped[int | None]
    best_test_accuracy: Mapped[float | None] = mapped_column(Float)
    best_test_accuracy_epoch: Mapped[int | None]
    epochs_to_accuracy_80: Mapped[int | None]
    epochs_to_accuracy_85: Mapped[int | None]
    train_loss_auc: Mapped[float | None] = mapped_column(Float)
    stuck: Mapped[bool | None]
    diverged_epoch: Mapped[int | None]
    # The summary diagnostics (analysis.names.SUMMARY_DIAGNOSTICS) at epoch 0 and at
    # epochs_done, written with each epoch: GET /jobs/{id} reads one row, not job_diagnostics.
    diagnostics_first: Mapped[dict[str, float | None] | None] = mapped_column(JSONType)
    diagnostics_last: Mapped[dict[str, float | None] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    # Asked for by the experiment: stop once a condition no further epoch can lift is certain
    # (analysis.conditions.certain); `stopped_early` then holds that epoch and condition, or
    # {"epoch", "condition": "pruned"} when a search's pruner stopped a trial's run.
    stop_early: Mapped[bool] = mapped_column(default=False, server_default=false())
    stopped_early: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the task was last published; the relay (re)publishes queued jobs whose task is not
    # waiting in the broker once this is older than its grace period.
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Refreshed by the training loop; the reaper re-queues running jobs whose heartbeat is stale.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "host:pid" of the process running the current attempt: a redelivered task on that host
    # takes the job over at once if that process is gone.
    claimed_by: Mapped[str | None] = mapped_column(String(300))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The search trial (Optuna's number) the job runs a seed of; null outside a search's
    # trials, the finalists' extra seeds included.
    trial: Mapped[int | None]

    experiment: Mapped["Experiment"] = relationship(back_populates="jobs", lazy="raise")

    def final_figures(self) -> dict[str, float | None]:
        """The last epoch's figures by name, as the row holds them (FINAL_COLUMNS)."""
        return {figure: getattr(self, column) for figure, column in FINAL_COLUMNS.items()}
