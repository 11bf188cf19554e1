"""The job_conditions table (a job's diagnosis), and its problems and notes in the result views.

Revision ID: b5ae09093528
Revises: d6156722de21
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b5ae09093528"
down_revision: str | None = "d6156722de21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: the table, then the views again with the conditions' names."""
    op.create_table(
        "job_conditions",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "evidence",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_conditions_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "name", "subject", name=op.f("pk_job_conditions")),
    )
    op.create_index("ix_job_conditions_name_job_id", "job_conditions", ["name", "job_id"])
    _drop_views()
    _create_views(conditions=True)


def downgrade() -> None:
    """Revert this revision."""
    _drop_views()
    _create_views(conditions=False)
    op.drop_index("ix_job_conditions_name_job_id", table_name="job_conditions")
    op.drop_table("job_conditions")


# The views as revision a95fa3bd1868 made them, kept here as they were then: a migration is a
# snapshot, and a later one that changes the spec recreates the views in its own terms.
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


# The job's condition names of one kind, distinct, sorted, comma-separated; NULL if none.
NAMES = {
    "postgresql": "(SELECT string_agg(DISTINCT c.name, ',' ORDER BY c.name) FROM job_conditions c "
    "WHERE c.job_id = j.id AND c.kind = '{kind}') AS {kind}s",
    "sqlite": "(SELECT group_concat(n.name, ',') FROM (SELECT DISTINCT c.name FROM job_conditions "
    "c WHERE c.job_id = j.id AND c.kind = '{kind}' ORDER BY c.name) n) AS {kind}s",
}


def _names(dialect: str, kind: str) -> str:
    return NAMES[dialect].format(kind=kind)


def _create_views(*, conditions: bool) -> None:
    """job_results: one row per job; epoch_results: one per epoch; with `problems` and `notes`
    (the job's condition names of each kind) when `conditions`."""
    dialect = op.get_bind().dialect.name
    config = ", ".join(_config_column(dialect, *column) for column in CONFIG_COLUMNS)
    identity = "j.id AS job_id, j.experiment_id, e.name AS experiment_name, j.seed, j.status"
    named = f", {_names(dialect, 'problem')}, {_names(dialect, 'note')}" if conditions else ""
    # The SQL is assembled from the constants above only; nothing here comes from a client.
    columns = f"{identity}, j.config_key, {config}"
    jobs = f"SELECT {columns}, {JOB_COLUMNS}{named} FROM jobs j"  # noqa: S608
    epochs = f"SELECT {columns}, {EPOCH_COLUMNS}{named} FROM epoch_metrics m"  # noqa: S608
    op.execute(f"CREATE VIEW job_results AS {jobs} {EXPERIMENT_JOIN}")
    op.execute(
        f"CREATE VIEW epoch_results AS {epochs} JOIN jobs j ON j.id = m.job_id {EXPERIMENT_JOIN}"
    )


def _drop_views() -> None:
    op.execute("DROP VIEW epoch_results")
    op.execute("DROP VIEW job_results")
