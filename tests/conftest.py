"""Fixtures shared by the suite: real databases (SQLite always, PostgreSQL where it answers),
the real Redis on a test database index, and settings that point at them.

One app serves every test of a module (starting one per test cost more than most tests); each
test still finds the module's queue and its Redis keys empty."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.main import create_app
from harness.databases import RUN_QUEUES, TEST_DATABASE_KINDS, TEST_REDIS_URL, database_of_kind
from models.db import get_engine, make_engine, make_sessionmaker
from models.settings import Settings, get_settings

# No gc.freeze in an app the tests start in this process (harness.service's servers keep it).
os.environ.setdefault("NORMLAB_API_GC_FREEZE", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Integration modules first, each module's tests kept together and in order: in two test
    processes, a module of minutes handed out last runs on while the other process has no work."""
    items.sort(key=lambda item: "integration" not in item.path.parts)


@pytest.fixture(scope="session", params=TEST_DATABASE_KINDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind; tests that take it run once per kind."""
    with database_of_kind(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    """The real Redis, on the suite's own database index."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.ping()
    yield client
    for key in client.scan_iter(f"*{RUN_QUEUES}*"):  # rate-limit keys name their queue too
        client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def module_queue(redis_client: redis.Redis) -> Iterator[str]:
    """A queue name of this module's own."""
    name = f"{RUN_QUEUES}test-{uuid.uuid4().hex[:10]}"
    yield name
    _delete_keys_of(redis_client, name)


def _delete_keys_of(redis_client: redis.Redis, queue: str) -> None:
    for key in redis_client.scan_iter(f"*{queue}*"):  # the queue, and keys that name it
        redis_client.delete(key)


@pytest.fixture
def queue(redis_client: redis.Redis, module_queue: str) -> Iterator[str]:
    """The module's queue, with every Redis key that names it deleted before and after the test:
    what the test finds there is its own."""
    _delete_keys_of(redis_client, module_queue)
    yield module_queue
    _delete_keys_of(redis_client, module_queue)


@pytest.fixture(scope="module")
def module_settings(database_url: str, module_queue: str) -> Settings:
    """Settings pointing at the test database, the test Redis index and the module's queue."""
    return Settings(database_url=database_url, redis_url=TEST_REDIS_URL, queue=module_queue)


@pytest.fixture
def settings(module_settings: Settings, queue: str) -> Settings:
    """The module's settings, its queue emptied for this test."""
    return module_settings


@pytest.fixture(scope="module")
def module_client(module_settings: Settings) -> Iterator[TestClient]:
    """The module's app, started once."""
    with TestClient(create_app(module_settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(module_client: TestClient, queue: str) -> TestClient:
    """The API over HTTP semantics, in process, against the real database and Redis."""
    return module_client


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test database, for reading and arranging rows directly."""
    test_engine = make_engine(database_url)
    yield test_engine
    test_engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test database."""
    with make_sessionmaker(engine)() as test_session:
        yield test_session


@pytest.fixture
def worker_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Point the worker's process-wide settings and engine at the test database."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("NORMLAB_CANCEL_POLL_SECONDS", "0.05")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield get_settings()
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(scope="session")
def dataset_dir() -> Path:
    """Where the real Fashion-MNIST files are."""
    from worker.data import find_dataset_dir

    return find_dataset_dir(None)
