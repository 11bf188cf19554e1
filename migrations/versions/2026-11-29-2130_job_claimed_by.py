"""jobs.claimed_by: the host and process id of the worker process that claimed the running
attempt, so a redelivered task can tell that attempt is dead and take the job over at once.

Revision ID: 3c7d9e1f5a20
Revises: 8f2a4c6e1d37
Create Date: 2026-11-29 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c7d9e1f5a20"
down_revision: str | None = "8f2a4c6e1d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add jobs.claimed_by."""
    # Plain ADD/DROP COLUMN (SQLite 3.35+): a batch would rebuild jobs, which the result views
    # read, and SQLite refuses to rename a table under a view.
    op.add_column("jobs", sa.Column("claimed_by", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Drop jobs.claimed_by."""
    op.drop_column("jobs", "claimed_by")
