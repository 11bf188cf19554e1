"""The job_diagnostics table: long and narrow, one row per (job, epoch, name)."""

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

# Carried on the job's row as well (Job.diagnostics_first/_last): the diagnostics that tell a
# stuck run from a slow one at a glance, before training and after the last finished epoch.
SUMMARY_DIAGNOSTICS = (
    "probe.loss",
    "output.logit_std",
    "output.clipped_true_share",
    "output.saturated_share",
    "output.grad_norm",
    "hidden_1.dead_share",
    "hidden_1.update_ratio",
)


class JobDiagnostic(Base):
    """One measured value of one job at one epoch; a new diagnostic needs no migration.

    Names are dotted: `input.*` (epoch 0 only), `output.*`, `hidden_<k>.*`, `probe.*`.
    A value that is NaN or infinite is stored as NULL.
    """

    __tablename__ = "job_diagnostics"

    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
