"""Conditions name their cause (job_conditions.caused_by); non-finite figures keep a flag beside
their NULL (job_diagnostics.nonfinite, epoch_metrics.loss_nonfinite and test_loss_nonfinite), so
a stored job can be diagnosed again exactly; an experiment run as another's follow-ups says so
(experiments.follow_up_of); a job may stop once its fate is certain (jobs.stop_early, and
jobs.stopped_early: the epoch and the condition).

Revision ID: 5e1b7c9d2f40
Revises: 0b840af69f4f
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "5e1b7c9d2f40"
down_revision: str | None = "0b840af69f4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: tuple[tuple[str, sa.Column[object]], ...] = (
    ("job_conditions", sa.Column("caused_by", sa.String(length=32), nullable=True)),
    ("job_diagnostics", sa.Column("nonfinite", sa.String(length=4), nullable=True)),
    ("epoch_metrics", sa.Column("loss_nonfinite", sa.String(length=4), nullable=True)),
    ("epoch_metrics", sa.Column("test_loss_nonfinite", sa.String(length=4), nullable=True)),
    ("experiments", sa.Column("follow_up_of", sa.Integer(), nullable=True)),
    ("jobs", sa.Column("stop_early", sa.Boolean(), server_default=sa.false(), nullable=False)),
    ("jobs", sa.Column("stopped_early", sa.JSON().with_variant(JSONB(), "postgresql"))),
)


def upgrade() -> None:
    """Add the columns; plain ADD COLUMN, since the result views read these tables."""
    for table, column in COLUMNS:
        op.add_column(table, column)
    op.create_index("ix_experiments_follow_up_of", "experiments", ["follow_up_of"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_experiments_follow_up_of", table_name="experiments")
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
