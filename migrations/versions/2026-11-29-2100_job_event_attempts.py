"""job_events.attempt: which run of the job wrote the event, so a stream can show only the
attempt that counts. Rows written before it have none and are shown as they were.

Revision ID: 8f2a4c6e1d37
Revises: 8b1f4c2e9a73
Create Date: 2026-11-29 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8f2a4c6e1d37"
down_revision: str | None = "8b1f4c2e9a73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add job_events.attempt."""
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop job_events.attempt."""
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.drop_column("attempt")
