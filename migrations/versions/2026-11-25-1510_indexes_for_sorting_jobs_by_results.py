"""Indexes on the result columns GET /jobs sorts and filters on most.

Revision ID: 64776486639e
Revises: a95fa3bd1868
Create Date: 2026-11-25 15:10:50.838574
"""

from collections.abc import Sequence

from alembic import op

revision: str = "64776486639e"
down_revision: str | None = "a95fa3bd1868"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_best_test_loss"), ["best_test_loss"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_jobs_final_test_accuracy"), ["final_test_accuracy"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_jobs_final_test_loss"), ["final_test_loss"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_final_test_loss"))
        batch_op.drop_index(batch_op.f("ix_jobs_final_test_accuracy"))
        batch_op.drop_index(batch_op.f("ix_jobs_best_test_loss"))
