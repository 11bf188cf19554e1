"""Job events for live streams, progress within an epoch, and flat views of results for SQL users.

Revision ID: a95fa3bd1868
Revises: e649ffc3a5b0
Create Date: 2026-11-25 14:47:02.296536
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a95fa3bd1868"
down_revision: str | None = "e649ffc3a5b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "job_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_job_events_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_events_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_events")),
    )
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_events_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            "ix_job_events_experiment_id_id", ["experiment_id", "id"], unique=False
        )
        batch_op.create_index("ix_job_events_job_id_id", ["job_id", "id"], unique=False)

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("batches_done", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("batches_total", sa.Integer(), nullable=False, server_default="0")
        )

    create_views()


# The views' config columns: (column, path in the config JSON, SQL type). Keep in step with
# models.spec; a later migration that changes the spec recreates the views.
CONFIG_COLUMNS = [
    ("train_size", "dataset.train_size", "integer"),
    ("test_size", "dataset.test_size", "integer"),
    ("preprocessing_method", "preprocessing.method", "text"),
    ("preprocessing_divisor", "preprocessing.divisor", "float"),
    ("hidden_layers", "model.hidden_layers", "json"),
    ("activation", "model.activation", "text"),
    ("initializer", "model.initializer", "text"),
    ("optimizer", "training.optimizer", "text"),
    ("learning_rate", "training.learning_rate", "float"),
    ("momentum", "training.momentum", "float"),
    ("epochs", "training.epochs", "integer"),
    ("batch_size", "training.batch_size", "integer"),
    ("loss_mode", "loss.mode", "text"),
]
EPOCH_COLUMNS = "m.epoch, m.loss, m.accuracy, m.test_loss, m.test_accuracy, m.seconds"
EXPERIMENT_JOIN = "JOIN experiments e ON e.id = j.experiment_id"
JOB_COLUMNS = (
    "j.final_loss AS loss, j.final_accuracy AS accuracy, j.final_test_loss AS test_loss, "
    "j.final_test_accuracy AS test_accuracy, j.best_test_loss, j.best_test_loss_epoch, "
    "j.best_test_accuracy, j.best_test_accuracy_epoch, j.epochs_to_accuracy_80, "
    "j.epochs_to_accuracy_85, j.train_loss_auc, j.stuck, j.diverged_epoch, j.attempt, j.error, "
    "j.created_at, j.started_at, j.finished_at"
)


def _config_column(dialect: str, column: str, path: str, kind: str) -> str:
    if dialect == "postgresql":
        keys = "{" + ",".join(path.split(".")) + "}"
        if kind == "json":
            return f"(j.config #> '{keys}')::text AS {column}"
        cast = {"text": "", "integer": "::integer", "float": "::double precision"}[kind]
        return f"(j.config #>> '{keys}'){cast} AS {column}"
    return f"json_extract(j.config, '$.{path}') AS {column}"


def create_views() -> None:
    """job_results: one flat row per job; epoch_results: one row per epoch of every job."""
    dialect = op.get_bind().dialect.name
    config = ", ".join(_config_column(dialect, *column) for column in CONFIG_COLUMNS)
    identity = "j.id AS job_id, j.experiment_id, e.name AS experiment_name, j.seed, j.status"
    # The SQL is assembled from the constants above only; nothing here comes from a client.
    columns = f"{identity}, j.config_key, {config}"
    jobs = f"SELECT {columns}, {JOB_COLUMNS} FROM jobs j"  # noqa: S608
    epochs = f"SELECT {columns}, {EPOCH_COLUMNS} FROM epoch_metrics m"  # noqa: S608
    op.execute(f"CREATE VIEW job_results AS {jobs} {EXPERIMENT_JOIN}")
    op.execute(
        f"CREATE VIEW epoch_results AS {epochs} JOIN jobs j ON j.id = m.job_id {EXPERIMENT_JOIN}"
    )


def downgrade() -> None:
    """Revert this revision."""
    op.execute("DROP VIEW epoch_results")
    op.execute("DROP VIEW job_results")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("batches_total")
        batch_op.drop_column("batches_done")

    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.drop_index("ix_job_events_job_id_id")
        batch_op.drop_index("ix_job_events_experiment_id_id")
        batch_op.drop_index(batch_op.f("ix_job_events_created_at"))

    op.drop_table("job_events")
