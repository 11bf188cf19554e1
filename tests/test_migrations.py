"""Migrations that move data: run on a database holding rows, on SQLite and PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Integer, column, func, inspect, select, table, text

from harness.databases import (
    TEST_DATABASE_KINDS,
    alembic_config,
    migrate,
    postgres_database,
    sqlite_database,
)
from models.base import Base, JSONType
from models.db import make_engine

BEFORE_SUMMARY = "64776486639e"  # the revision before the summary diagnostics on jobs
EXPERIMENT = "INSERT INTO experiments (id, name, spec, created_at) VALUES (1, 'e', '{}', :now)"
JOB = (
    "INSERT INTO jobs (id, experiment_id, status, config, config_key, seed, epochs, epochs_done,"
    " batches_done, batches_total, attempt, created_at)"
    " VALUES (:id, 1, 'running', '{}', 'k', 0, 5, :done, 0, 0, 1, :now)"
)
DIAGNOSTIC = (
    "INSERT INTO job_diagnostics (job_id, epoch, name, value) VALUES (:job, :epoch, :name, :value)"
)


@pytest.fixture(params=TEST_DATABASE_KINDS)
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind at the revision before the summary columns."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path, BEFORE_SUMMARY) as url:
            yield url
    else:
        with postgres_database(BEFORE_SUMMARY) as url:
            yield url


def _arrange(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        now = {"now": "2026-11-25 12:00:00+00:00"}
        connection.execute(text(EXPERIMENT), now)
        for job_id, done in ((1, 2), (2, 0), (3, 0)):
            connection.execute(text(JOB), {"id": job_id, "done": done} | now)
        rows = [
            (1, 0, "probe.loss", 2.3),
            (1, 0, "input.max", 255.0),  # not a summary diagnostic
            (1, 1, "probe.loss", 0.9),  # neither epoch 0 nor the last
            (1, 2, "probe.loss", 0.5),
            (1, 2, "output.grad_norm", None),
            (2, 0, "probe.loss", 2.2),
        ]
        for job, epoch, name, value in rows:
            connection.execute(
                text(DIAGNOSTIC), {"job": job, "epoch": epoch, "name": name, "value": value}
            )
    engine.dispose()


def _summaries(url: str) -> dict[int, tuple[object, object]]:
    jobs = table(
        "jobs",
        column("id", Integer),
        column("diagnostics_first", JSONType),
        column("diagnostics_last", JSONType),
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(jobs).order_by(jobs.c.id))
        found = {row.id: (row.diagnostics_first, row.diagnostics_last) for row in rows}
    engine.dispose()
    return found


def test_summary_columns_are_filled_from_stored_diagnostics_and_dropped_on_downgrade(
    old_database: str,
) -> None:
    _arrange(old_database)
    migrate(old_database)
    assert _summaries(old_database) == {
        1: ({"probe.loss": 2.3}, {"probe.loss": 0.5, "output.grad_norm": None}),
        2: ({"probe.loss": 2.2}, {"probe.loss": 2.2}),
        3: (None, None),
    }
    command.downgrade(alembic_config(old_database), BEFORE_SUMMARY)
    engine = make_engine(old_database)
    columns = {column["name"] for column in inspect(engine).get_columns("jobs")}
    engine.dispose()
    assert "diagnostics_first" not in columns
    migrate(old_database)  # and up again, over the view that reads jobs


BEFORE_CONDITIONS = "d6156722de21"  # the revision before job_conditions
CONDITION = (
    "INSERT INTO job_conditions (job_id, name, subject, kind, epoch, statement, evidence)"
    " VALUES (1, :name, :subject, :kind, 1, 's', '{}')"
)


@pytest.fixture(params=TEST_DATABASE_KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind at the head revision."""
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as url:
            yield url
    else:
        with postgres_database() as url:
            yield url


def test_job_conditions_match_the_model_and_views_name_problems_and_notes(database: str) -> None:
    engine = make_engine(database)
    with engine.begin() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [d for d in differences if "job_conditions" in repr(d)] == []
        connection.execute(text(EXPERIMENT), {"now": "2026-11-25 12:00:00+00:00"})
        connection.execute(text(JOB), {"id": 1, "done": 2, "now": "2026-11-25 12:00:00+00:00"})
        for name, subject, kind in (
            ("dead_units", "hidden_2", "problem"),
            ("dead_units", "hidden_1", "problem"),
            ("at_chance", "job", "problem"),
            ("tiny_inputs", "job", "note"),
        ):
            connection.execute(text(CONDITION), {"name": name, "subject": subject, "kind": kind})
        row = connection.execute(text("SELECT problems, notes FROM job_results")).one()
    engine.dispose()
    assert tuple(row) == ("at_chance,dead_units", "tiny_inputs")
    command.downgrade(alembic_config(database), BEFORE_CONDITIONS)
    engine = make_engine(database)
    assert "job_conditions" not in inspect(engine).get_table_names()
    engine.dispose()
    migrate(database)


BEFORE_AUTOINCREMENT = "3c7d9e1f5a20"  # the revision before SQLite's ids were never reused
CHILD_ROWS = (
    "INSERT INTO epoch_metrics (job_id, epoch, loss, seconds) VALUES (1, 0, 2.3, 0.1)",
    "INSERT INTO job_events (job_id, experiment_id, kind, data, created_at)"
    " VALUES (1, 1, 'status', '{}', '2026-11-25 12:00:00+00:00')",
    "INSERT INTO job_diagnostics (job_id, epoch, name, value) VALUES (1, 0, 'probe.loss', 2.3)",
)
NEW_EXPERIMENT = "INSERT INTO experiments (name, spec, created_at) VALUES ('n', '{}', :now)"
TABLES = ("experiments", "jobs", "epoch_metrics", "job_events", "job_diagnostics", "job_conditions")


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in (*TABLES, "job_results", "epoch_results")
        }
    engine.dispose()
    return found


def _id_after_deleting_the_newest(url: str) -> tuple[int, int]:
    """Delete the newest experiment, create one: the deleted id and the new one."""
    engine = make_engine(url)
    with engine.begin() as connection:
        newest = connection.execute(text("SELECT max(id) FROM experiments")).scalar_one()
        connection.execute(text("DELETE FROM experiments WHERE id = :id"), {"id": newest})
        connection.execute(text(NEW_EXPERIMENT), {"now": "2026-11-25 12:00:00+00:00"})
        created = connection.execute(text("SELECT max(id) FROM experiments")).scalar_one()
    engine.dispose()
    return newest, created


def test_sqlite_never_gives_a_deleted_id_again_and_the_rebuild_keeps_every_row(
    tmp_path: Path,
) -> None:
    with sqlite_database(tmp_path, BEFORE_AUTOINCREMENT) as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            now = {"now": "2026-11-25 12:00:00+00:00"}
            connection.execute(text(EXPERIMENT), now)
            for job_id in (1, 2):
                connection.execute(text(JOB), {"id": job_id, "done": 1} | now)
            for statement in CHILD_ROWS:
                connection.execute(text(statement))
            condition = {"name": "at_chance", "subject": "job", "kind": "problem"}
            connection.execute(text(CONDITION), condition)
            for _ in range(2):  # two newer experiments without jobs
                connection.execute(text(NEW_EXPERIMENT), now)
        engine.dispose()
        deleted, created = _id_after_deleting_the_newest(url)
        assert created == deleted == 3  # the defect: the new experiment took the deleted one's id
        before = _counts(url)
        assert min(before.values()) >= 1
        migrate(url)
        assert _counts(url) == before  # nothing lost to the copy, nor to a cascade
        deleted, created = _id_after_deleting_the_newest(url)
        assert (deleted, created) == (3, 4)
        command.downgrade(alembic_config(url), BEFORE_AUTOINCREMENT)
        assert _counts(url) == before


BEFORE_ROUNDS = "5e1b7c9d2f40"  # the revision before adaptive experiments' columns


def test_adaptive_columns_match_the_model_and_go_on_downgrade(database: str) -> None:
    engine = make_engine(database)
    with engine.begin() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    names = ("rounds", "stopped", "trial")
    assert [d for d in differences if any(name in repr(d) for name in names)] == []
    engine.dispose()
    command.downgrade(alembic_config(database), BEFORE_ROUNDS)
    engine = make_engine(database)
    jobs = {column["name"] for column in inspect(engine).get_columns("jobs")}
    experiments = {column["name"] for column in inspect(engine).get_columns("experiments")}
    engine.dispose()
    assert "trial" not in jobs
    assert not {"rounds", "rounds_done", "stopped"} & experiments
    migrate(database)
