"""The summary diagnostics on the jobs row, so one job is read with one query.

Revision ID: d6156722de21
Revises: 64776486639e
Create Date: 2026-11-25 20:58:14.965837
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d6156722de21"
down_revision: str | None = "64776486639e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The summary's names when this revision was written (models.diagnostic.SUMMARY_DIAGNOSTICS).
SUMMARY = (
    "probe.loss",
    "output.logit_std",
    "output.clipped_true_share",
    "output.saturated_share",
    "output.grad_norm",
    "hidden_1.dead_share",
    "hidden_1.update_ratio",
)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
jobs = sa.table(
    "jobs",
    sa.column("id", sa.Integer),
    sa.column("epochs_done", sa.Integer),
    sa.column("diagnostics_first", JSON),
    sa.column("diagnostics_last", JSON),
)
diagnostics = sa.table(
    "job_diagnostics",
    sa.column("job_id", sa.Integer),
    sa.column("epoch", sa.Integer),
    sa.column("name", sa.String),
    sa.column("value", sa.Float),
)


def upgrade() -> None:
    """Apply this revision: add the two columns, then fill them from job_diagnostics."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("diagnostics_first", JSON, nullable=True))
        batch_op.add_column(sa.Column("diagnostics_last", JSON, nullable=True))
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.select(diagnostics.c.job_id, diagnostics.c.epoch, diagnostics.c.name)
        .add_columns(diagnostics.c.value, jobs.c.epochs_done)
        .join(jobs, jobs.c.id == diagnostics.c.job_id)
        .where(diagnostics.c.name.in_(SUMMARY))
        .where(sa.or_(diagnostics.c.epoch == 0, diagnostics.c.epoch == jobs.c.epochs_done))
    )
    first: dict[int, dict[str, float | None]] = defaultdict(dict)
    last: dict[int, dict[str, float | None]] = defaultdict(dict)
    for job_id, epoch, name, value, epochs_done in rows:
        if epoch == 0:
            first[job_id][name] = value
        if epoch == epochs_done:
            last[job_id][name] = value
    for job_id in first.keys() | last.keys():
        connection.execute(
            jobs.update()
            .where(jobs.c.id == job_id)
            .values(
                diagnostics_first=first.get(job_id, sa.null()),
                diagnostics_last=last.get(job_id, sa.null()),
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    # Plain DROP COLUMN (SQLite 3.35+): a batch would rebuild jobs, which the job_results view
    # reads, and SQLite refuses to rename a table under a view.
    for column in ("diagnostics_last", "diagnostics_first"):
        op.execute(f"ALTER TABLE jobs DROP COLUMN {column}")
