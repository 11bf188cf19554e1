"""The engine (one per database and process), the session factory, and the worker's unit of work."""

import select
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models.settings import get_settings

# How long a SQLite writer waits for the write lock unless the URL says (`?timeout=5`).
SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Enough pooled connections for the API's request threads under load: an overflow connection is
# opened and closed per request, which costs more than the query it serves.
POOL = {"pool_size": 20, "max_overflow": 20}
# A PostgreSQL server behind a cut link answers nothing: without bounds a connect or a statement
# waits for the kernel's TCP retries (minutes) instead of failing into the callers' retries; and
# a transaction the cut leaves open would hold its row locks (a job's row) until the server
# notices the client gone (hours). Each is many times what a statement of the service takes.
POSTGRES_TIMEOUTS = {
    "connect_timeout": 5,
    "tcp_user_timeout": 10_000,  # milliseconds a sent statement may go unacknowledged
    "options": "-c idle_in_transaction_session_timeout=60s",
}


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while one connection writes. A writer that finds the write lock
    # taken waits for it (the driver's timeout) instead of failing with "database is locked";
    # it can always wait, because the driver begins a transaction only at its first write, so
    # no transaction holds an older snapshot that it would have to upgrade.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _replace_if_closed(dialect: Dialect, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # A pooled connection that the server closed (a restart, an administrator) has something to
    # read while it sits idle: the server's goodbye, or the end of the stream. Its socket shows
    # that without a round trip; only then is it pinged, as a live connection can rarely have a
    # message waiting too (a notification). The pool replaces one that does not answer.
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        if readable:
            dialect.do_ping(dbapi_connection)
    except (OSError, dialect.loaded_dbapi.Error) as error:
        raise exc.DisconnectionError("the server closed this pooled connection") from error


def make_engine(url: str) -> Engine:
    """Create an engine; a SQLite file gets its directory, WAL mode and a busy timeout."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, connect_args=POSTGRES_TIMEOUTS, **POOL)
        event.listen(engine, "checkout", partial(_replace_if_closed, engine.dialect))
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # The URL's own timeout (the driver reads it) would lose to connect_args.
    busy = {} if "timeout" in parsed.query else {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    engine = create_engine(url, connect_args={"check_same_thread": False, **busy}, **POOL)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Create the session factory bound to one engine."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@lru_cache
def get_engine() -> Engine:
    """Return this process's engine for the configured database."""
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error, always close."""
    session = make_sessionmaker(get_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
