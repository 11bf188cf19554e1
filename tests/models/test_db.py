"""The engine's SQLite writer queue: one writing transaction at a time per process."""

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from models.db import SQLiteWriterQueue


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
