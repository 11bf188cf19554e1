"""Engine and session factories, and the worker's unit-of-work scope."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from models.settings import get_settings

T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Enough pooled connections for the API's request threads under load: an overflow connection is
# opened and closed per request, which costs more than the query it serves.
POOL = {"pool_size": 20, "max_overflow": 20}


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; the busy timeout makes a second writer
    # wait for the lock instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


WRITES = ("INSERT", "UPDATE", "DELETE")


class SQLiteWriterQueue:
    """One writer at a time, as SQLite allows, queued in this process on a lock.

    Without it, concurrent writers of one process meet SQLite's busy handler, which polls the
    file lock with sleeps of up to 100 ms: POST /experiments had a p99 near a second under
    8 concurrent clients. A connection takes the lock at its transaction's first write and
    gives it back when that transaction ends; readers never take it.
    """

    def __init__(self, engine: Engine) -> None:
        self.lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._before_execute)
        for name in ("commit", "rollback"):
            event.listen(engine, name, lambda connection: self._release(connection.info))
        # A transaction the pool ended: on return, on invalidation, on close.
        pool = engine.pool
        event.listen(pool, "reset", lambda _c, record, _state: self._release(record.info))
        event.listen(pool, "invalidate", lambda _c, record, _e: self._release(record.info))
        event.listen(pool, "close", lambda _c, record: self._release(record.info))

    def _before_execute(self, connection: Connection, *args: Any) -> None:
        statement: str = args[1]
        if not connection.info.get("writer") and statement.lstrip()[:6].upper() in WRITES:
            if not self.lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise TimeoutError("no turn to write to SQLite within the busy timeout")
            connection.info["writer"] = True

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop("writer", False):
            self.lock.release()


def make_engine(url: str) -> Engine:
    """Create an engine; a SQLite file gets its directory, WAL mode and a busy timeout."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **POOL)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return _sqlite_engine(url, writes=True)


def _query_only(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA query_only=ON")


def _sqlite_engine(url: str | URL, *, writes: bool) -> Engine:
    """A pooled SQLite engine: its writers queue in the process, or it refuses writes."""
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **POOL)
    event.listen(engine, "connect", _sqlite_pragmas)
    if writes:
        SQLiteWriterQueue(engine)
    else:
        event.listen(engine, "connect", _query_only)
    return engine


def make_read_engine(engine: Engine) -> Engine:
    """SQLite's engine for reads of one statement each (`read_retried`), beside the one that
    writes: a pool of its own whose connections refuse writes, so reads skip the writer queue's
    hooks (a sixth of a read's CPU). SQLite's driver begins no transaction for a read anyway."""
    return _sqlite_engine(engine.url, writes=False)


def make_async_read_engine(engine: Engine) -> AsyncEngine:
    """PostgreSQL's engine for reads of one statement each (`read_retried`), on psycopg's
    asyncio interface, so a read needs no thread: a pool of its own in autocommit mode (no BEGIN
    and COMMIT round trips; one statement sees one snapshot either way) that does not ping a
    connection before each use (a round trip per read): a read that meets a dead one is retried."""
    url = engine.url.set(drivername="postgresql+psycopg_async")
    return create_async_engine(url, isolation_level="AUTOCOMMIT", **POOL)


def read_retried(session: Session, read: Callable[[Session], T]) -> T:
    """Run a read in a transaction of its own; run it once more if its pooled connection proved
    dead (a database restart), since read engines do not ping before use."""
    try:
        with session.begin():
            return read(session)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with session.begin():
        return read(session)


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
