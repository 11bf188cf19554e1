"""Diagnostics per (job, epoch, name); learning-curve summaries and a config key on jobs.

Revision ID: aedc7204bb4a
Revises: 95022a35dd47
Create Date: 2026-11-25 13:12:10.645627
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "aedc7204bb4a"
down_revision: str | None = "95022a35dd47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "job_diagnostics",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_diagnostics_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "epoch", "name", name=op.f("pk_job_diagnostics")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("config_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("best_test_loss", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("best_test_loss_epoch", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("best_test_accuracy", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("best_test_accuracy_epoch", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("epochs_to_accuracy_80", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("epochs_to_accuracy_85", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("train_loss_auc", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("stuck", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("diverged_epoch", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_config_key"), ["config_key"], unique=False)
    _fill_config_keys()
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("config_key", existing_type=sa.String(length=64), nullable=False)


def _fill_config_keys() -> None:
    # Stored configs are already resolved: the key is the hash of their canonical JSON, the
    # same as models.spec.JobConfig.key() computes for new jobs.
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Integer),
        sa.column("config", sa.JSON),
        sa.column("config_key", sa.String),
    )
    connection = op.get_bind()
    for job_id, config in connection.execute(sa.select(jobs.c.id, jobs.c.config)).all():
        canonical = json.dumps(config, sort_keys=True).encode()
        key = hashlib.sha256(canonical).hexdigest()[:16]
        connection.execute(jobs.update().where(jobs.c.id == job_id).values(config_key=key))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_config_key"))
        batch_op.drop_column("diverged_epoch")
        batch_op.drop_column("stuck")
        batch_op.drop_column("train_loss_auc")
        batch_op.drop_column("epochs_to_accuracy_85")
        batch_op.drop_column("epochs_to_accuracy_80")
        batch_op.drop_column("best_test_accuracy_epoch")
        batch_op.drop_column("best_test_accuracy")
        batch_op.drop_column("best_test_loss_epoch")
        batch_op.drop_column("best_test_loss")
        batch_op.drop_column("config_key")

    op.drop_table("job_diagnostics")
