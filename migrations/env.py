"""Alembic environment: the target metadata comes from `models`, the URL from settings."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from models import Base
from models.db import make_engine
from models.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """The URL given to this Alembic run, else the service's configured database."""
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of connecting."""
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect and migrate; batch mode lets SQLite alter tables by copying them."""
    engine = make_engine(database_url())
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _enforce_sqlite_foreign_keys(connection, False)
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            _enforce_sqlite_foreign_keys(connection, True)
    engine.dispose()


def _enforce_sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # A batch copy drops the old table: with foreign keys enforced, dropping a parent table
    # deletes its rows first, and with them every child row on ON DELETE CASCADE. SQLite
    # ignores the pragma inside a transaction, so it is set between them; once back on, a row
    # the copy left without its parent is an error.
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.commit()
    if on and (orphans := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
        raise RuntimeError(f"rows without their parent after migrating: {orphans[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
