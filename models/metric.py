"""The epoch_metrics table: one row per (job, epoch), long and narrow."""

from sqlalchemy import Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class EpochMetric(Base):
    """One epoch of one job; epoch 0 is the evaluation before any training.

    A loss that is NaN or infinite is stored as NULL (JSON has no NaN); the job's error then
    says at which epoch it diverged.
    """

    __tablename__ = "epoch_metrics"

    # The primary key is the uniqueness key: a re-delivered task cannot duplicate an epoch.
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(primary_key=True)
    loss: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    test_loss: Mapped[float | None] = mapped_column(Float)
    test_accuracy: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float)
