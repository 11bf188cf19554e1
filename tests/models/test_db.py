"""The engine on SQLite: writers wait their turn instead of failing with "database is locked".
On PostgreSQL: a pooled connection the server closed is replaced, a live one is kept. (A read
after PostgreSQL dropped every connection, over HTTP: tests/api/test_jobs.py.)"""

import select
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from harness.databases import postgres_database
from models.db import SQLITE_BUSY_TIMEOUT_SECONDS, make_engine

BACKEND = "SELECT pg_backend_pid()"


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


@pytest.mark.parametrize(
    ("query", "timeout"), [("", SQLITE_BUSY_TIMEOUT_SECONDS), ("?timeout=2", 2)]
)
def test_a_sqlite_url_may_set_how_long_a_writer_waits_for_the_lock(
    tmp_path: Path, query: str, timeout: float
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.sqlite3'}{query}")
    given: dict[str, object] = {}

    @event.listens_for(engine, "do_connect")
    def _capture(
        _dialect: object, _record: object, _args: object, params: dict[str, object]
    ) -> None:
        given.update(params)

    with engine.connect():
        pass
    engine.dispose()
    assert given["timeout"] == timeout


def test_a_pooled_postgresql_connection_with_a_message_waiting_is_kept_if_it_answers() -> None:
    with postgres_database() as url:
        engine = make_engine(url)
        with engine.connect() as connection:
            backend = connection.exec_driver_sql(BACKEND).scalar()
            connection.exec_driver_sql("LISTEN normlab_probe")
            connection.commit()
            pooled = connection.connection.dbapi_connection
        notifier = make_engine(url)
        with notifier.connect() as other:
            other.exec_driver_sql("NOTIFY normlab_probe")
            other.commit()
        notifier.dispose()
        assert pooled is not None
        assert select.select([pooled.fileno()], [], [], 30)[0]  # the notification arrived
        with engine.connect() as again:  # pinged, it answered: the same connection
            assert again.exec_driver_sql(BACKEND).scalar() == backend
        engine.dispose()


def test_a_pooled_postgresql_connection_the_server_closed_is_replaced() -> None:
    with postgres_database() as url:
        engine = make_engine(url)
        with engine.connect() as connection:
            backend = connection.exec_driver_sql(BACKEND).scalar()
        admin = make_engine(url)
        with admin.connect() as connection:
            ended = connection.exec_driver_sql(f"SELECT pg_terminate_backend({backend}, 10000)")
            assert ended.scalar() is True
        with engine.connect() as connection:
            assert connection.exec_driver_sql(BACKEND).scalar() != backend
        admin.dispose()
        engine.dispose()
