"""The epoch_metrics table: one row per (job, epoch), long and narrow."""

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.nonfinite import FLAG_LENGTH


class EpochMetric(Base):
    """One epoch of one job; epoch 0 is the evaluation before any training.

    A loss that is NaN or infinite is stored as NULL with its flag beside it (models.nonfinite).
    """

    __tablename__ = "epoch_metrics"

    # The primary key is the uniqueness key: a re-delivered task cannot duplicate an epoch.
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(primary_key=True)
    loss: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    test_loss: Mapped[float | None] = mapped_column(Float)
    loss_nonfinite: Mapped[str | None] = mapped_column(String(FLAG_LENGTH))
    test_loss_nonfinite: Mapped[str | None] = mapped_column(String(FLAG_LENGTH))
    test_accuracy: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float)
