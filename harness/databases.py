"""Databases for tests and benchmarks: a SQLite file, and a PostgreSQL database of its own,
both made by Alembic; and the Redis database index they use."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
TEST_REDIS_URL = os.environ.get("NORMLAB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# In the name of every queue this run makes, so the keys it leaves in Redis are its own to
# delete, not those of another run beside it on the same Redis database.
RUN_QUEUES = f"normlab-run-{uuid.uuid4().hex[:8]}-"
# The kinds of database the tests run on; `make check` asks for SQLite alone.
TEST_DATABASE_KINDS = os.environ.get("NORMLAB_TEST_DATABASES", "sqlite,postgresql").split(",")
POSTGRES_ADMIN_URL = os.environ.get(
    "NORMLAB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration, pointed at this database."""
    config = Config(str(ROOT / "alembic.ini"), attributes={"configure_logger": False})
    config.set_main_option("sqlalchemy.url", url)
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Build the schema the only way it is ever built: `alembic upgrade`."""
    command.upgrade(alembic_config(url), revision)


@contextmanager
def sqlite_database(directory: Path, revision: str = "head") -> Iterator[str]:
    """A migrated SQLite file in a temporary directory."""
    url = f"sqlite:///{directory / 'normlab.sqlite3'}"
    migrate(url, revision)
    yield url


def _postgres_unavailable(admin: str) -> str | None:
    try:
        with create_engine(admin).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"PostgreSQL does not answer at {admin}: {type(error).__name__}"
    return None


@contextmanager
def postgres_database(revision: str = "head") -> Iterator[str]:
    """A migrated PostgreSQL database created for this run and dropped after it."""
    reason = _postgres_unavailable(POSTGRES_ADMIN_URL)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI machines run PostgreSQL: its absence is a failure
        pytest.skip(reason)
    name = f"normlab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url, revision)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database_of_kind(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this run's own, of the kind a fixture parameter names."""
    if kind == "sqlite":
        with sqlite_database(tmp_path_factory.mktemp("sqlite")) as url:
            yield url
    else:
        with postgres_database() as url:
            yield url


# What a restart does to pooled connections: PostgreSQL ends their backends.
_TERMINATE_OTHERS = text(
    # With a timeout it returns once each backend has exited, as a restart has when the
    # database answers again.
    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def terminate_other_connections(connection: Connection) -> None:
    """End every other connection to this PostgreSQL database, as a restart would."""
    connection.execute(_TERMINATE_OTHERS)
