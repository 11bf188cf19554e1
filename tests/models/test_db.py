"""Engines: SQLite's writer queue (one writing transaction at a time per process) and the
engines that serve reads of one statement."""

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from harness.databases import postgres_database, terminate_other_connections
from models.db import (
    SQLiteWriterQueue,
    make_async_read_engine,
    make_engine,
    make_read_engine,
    read_retried,
)


def _engine(tmp_path: Path) -> tuple[Engine, SQLiteWriterQueue]:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'queue.sqlite3'}", connect_args={"check_same_thread": False}
    )
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY, value INTEGER)"))
    return engine, SQLiteWriterQueue(engine)


def test_a_transaction_holds_the_turn_from_its_first_write_until_it_ends(tmp_path: Path) -> None:
    engine, queue = _engine(tmp_path)
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM items"))
        assert not queue.lock.locked()  # readers never queue
        connection.execute(text("INSERT INTO items (value) VALUES (1)"))
        assert queue.lock.locked()
        connection.commit()
        assert not queue.lock.locked()
        connection.execute(text("UPDATE items SET value = 2"))
        connection.rollback()
        assert not queue.lock.locked()
        connection.execute(text("DELETE FROM items"))
    assert not queue.lock.locked()  # closed mid-transaction: rolled back, turn given back
    engine.dispose()


def test_concurrent_writers_of_one_engine_all_commit(tmp_path: Path) -> None:
    engine, queue = _engine(tmp_path)
    errors: list[BaseException] = []

    def write(value: int) -> None:
        try:
            for _ in range(20):
                with engine.begin() as connection:
                    connection.execute(text("INSERT INTO items (value) VALUES (:v)"), {"v": value})
        except BaseException as error:  # collected: a thread's exception would be lost
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 160
    assert errors == []
    assert not queue.lock.locked()
    engine.dispose()


def test_the_read_engine_of_sqlite_refuses_writes_and_skips_the_writer_queue(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'read.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO items (id) VALUES (1)"))
    reader = make_read_engine(engine)
    with reader.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 1
        with pytest.raises(OperationalError, match="readonly"):
            connection.execute(text("INSERT INTO items (id) VALUES (2)"))
    assert not reader.dispatch.before_cursor_execute  # no hooks on the read path
    reader.dispose()
    engine.dispose()


async def _postgresql_reads(url: str) -> None:
    engine = make_engine(url)
    reader = make_async_read_engine(engine)
    pids: list[int] = []

    def backend_pid(session: Session) -> int:
        pids.append(-1)  # an attempt that fails leaves -1 behind
        pids[-1] = int(session.scalar(text("SELECT pg_backend_pid()")))
        assert session.connection().connection.dbapi_connection.autocommit  # type: ignore[union-attr]
        return pids[-1]

    async with AsyncSession(reader) as session:
        first = await session.run_sync(read_retried, backend_pid)
        _terminate(engine)  # the reader's pooled connection among them
        second = await session.run_sync(read_retried, backend_pid)
        assert pids == [first, -1, second]
        _terminate(engine)
        with pytest.raises(OperationalError):  # unretried, the read fails
            await session.run_sync(backend_pid)
    assert engine.pool._pre_ping  # the writing engine pings; the reader retries instead
    assert not reader.pool._pre_ping
    await reader.dispose()
    engine.dispose()


def _terminate(engine: Engine) -> None:
    with engine.begin() as connection:
        terminate_other_connections(connection)


def test_postgresql_reads_run_in_autocommit_and_again_after_meeting_a_dead_connection() -> None:
    with postgres_database() as url:
        asyncio.run(_postgresql_reads(url))


def test_a_read_that_fails_otherwise_is_not_retried(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'reads.sqlite3'}")
    calls: list[int] = []

    def failing(session: Session) -> None:
        calls.append(1)
        session.execute(text("SELECT * FROM missing"))

    with pytest.raises(OperationalError, match="no such table"):
        read_retried(Session(make_read_engine(engine)), failing)
    assert calls == [1]
    engine.dispose()
