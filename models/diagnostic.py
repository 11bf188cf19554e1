"""The job_diagnostics table: long and narrow, one row per (job, epoch, name)."""

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.nonfinite import FLAG_LENGTH


class JobDiagnostic(Base):
    """One measured value of one job at one epoch; a new diagnostic needs no migration.

    Names are dotted (analysis.names holds each with its words and unit).
    A value that is NaN or infinite is stored as NULL with its flag (models.nonfinite).
    """

    __tablename__ = "job_diagnostics"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    nonfinite: Mapped[str | None] = mapped_column(String(FLAG_LENGTH))
