"""Adaptive experiments add jobs in rounds (experiments.rounds, rounds_done, stopped); a search's
jobs name their trial (jobs.trial). A trial its pruner stopped says so in jobs.stopped_early,
which the revision before this one added.

Revision ID: 8c3f1a2b9d7e
Revises: 5e1b7c9d2f40
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8c3f1a2b9d7e"
down_revision: str | None = "5e1b7c9d2f40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
COLUMNS = (
    ("experiments", sa.Column("rounds", JSON, nullable=True)),
    ("experiments", sa.Column("rounds_done", sa.Integer(), nullable=True)),
    ("experiments", sa.Column("stopped", sa.String(length=16), nullable=True)),
    ("jobs", sa.Column("trial", sa.Integer(), nullable=True)),
)


def upgrade() -> None:
    """Add the columns; plain ADD COLUMN, since the result views read these tables."""
    for table, column in COLUMNS:
        op.add_column(table, column)


def downgrade() -> None:
    """Drop them."""
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column.name)
