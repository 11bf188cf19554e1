"""SQLite: experiments, jobs and job_events never give an id twice (AUTOINCREMENT).

Without it SQLite gives the next row the id of the newest row once that is deleted. Only a
rebuilt table can gain AUTOINCREMENT; PostgreSQL's sequences never reuse an id, so it has
nothing to do. The views that read these tables are dropped and created again as they were.

Revision ID: 0b840af69f4f
Revises: 3c7d9e1f5a20
Create Date: 2026-11-29 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0b840af69f4f"
down_revision: str | None = "3c7d9e1f5a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("experiments", "jobs", "job_events")


def upgrade() -> None:
    """Rebuild the tables with AUTOINCREMENT on SQLite."""
    _rebuild(autoincrement=True)


def downgrade() -> None:
    """Rebuild them without it."""
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # SQLite will not rename a table while a view names a table that is not there.
    views = op.get_bind().execute(sa.text(VIEWS)).all()
    for name, _ in views:
        op.execute(f'DROP VIEW "{name}"')
    for name in TABLES:
        kwargs = {"sqlite_autoincrement": autoincrement}
        with op.batch_alter_table(name, recreate="always", table_kwargs=kwargs):
            pass
    for _, sql in reversed(views):
        op.execute(sql)


# Newest first: a view is dropped before one it reads, and created again after it.
VIEWS = "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid DESC"
