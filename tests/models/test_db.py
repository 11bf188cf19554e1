"""Engines: SQLite's writer queue (one writing transaction at a time per process) and the
engines that serve reads of one statement."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from models.db import SQLiteWriterQueue, make_engine, make_read_engine
from tests.databases import postgres_database


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


def test_the_read_engine_of_postgresql_runs_in_autocommit() -> None:
    with postgres_database() as url:
        engine = make_engine(url)
        reader = make_read_engine(engine)
        with reader.connect() as connection:
            connection.execute(text("SELECT 1"))
            assert connection.connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
        with engine.connect() as connection:  # the pool is shared; its writers keep transactions
            connection.execute(text("SELECT 1"))
            assert connection.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
        engine.dispose()
