"""Experiments get notes, tags and an archived_at timestamp.

Revision ID: 8b1f4c2e9a73
Revises: b5ae09093528
Create Date: 2026-11-29 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8b1f4c2e9a73"
down_revision: str | None = "b5ae09093528"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    """Add notes, tags and archived_at to experiments; existing rows get empty ones."""
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("tags", JSON, server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the three columns."""
    # Plain DROP COLUMN (SQLite 3.35+): a batch would rebuild experiments, which the job_results
    # view reads, and SQLite refuses to rename a table under a view.
    for column in ("archived_at", "tags", "notes"):
        op.execute(f"ALTER TABLE experiments DROP COLUMN {column}")
