"""The engine on SQLite: writers wait their turn instead of failing with "database is locked".
(A read after PostgreSQL dropped every connection: tests/api/test_jobs.py.)"""

import threading
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from models.db import make_engine


def _items(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, n INT)"))
    return engine


def _read_then_write(engine: Engine, value: int, errors: list[BaseException]) -> None:
    # As the services do: read in a session, then write in the same one, then commit.
    try:
        for _ in range(20):
            with Session(engine) as session:
                session.execute(text("SELECT count(*) FROM items")).scalar()
                session.execute(text("INSERT INTO items (n) VALUES (:n)"), {"n": value})
                session.commit()
    except BaseException as error:  # collected: a thread's exception would be lost
        errors.append(error)


def test_concurrent_sqlite_writers_of_two_engines_all_commit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    engines = [_items(url), _items(url)]  # as the API's and a worker's processes hold them
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_read_then_write, args=(engines[n % 2], n, errors))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engines[0].connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar() == 160
    for engine in engines:
        engine.dispose()
