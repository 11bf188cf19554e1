"""Real API and worker processes, shared or fresh, against the test databases and Redis."""

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.databases import TEST_DATABASE_KINDS, TEST_REDIS_URL, database_of_kind
from harness.processes import RedisServer
from harness.service import SERVICE_PROCESSES, Service, running_api, running_service
from tests.integration.faults import StartService


# The shared service's maintenance worker relays and reaps every second until the run ends:
# on the other tests' database it would publish and requeue the rows they arrange.
@pytest.fixture(scope="session", params=TEST_DATABASE_KINDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each kind, of the integration tests' own."""
    with database_of_kind(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture
def own_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this test's own, of the same kind: a service started by one test
    must not share rows with the shared service, whose relay would publish its queued jobs to
    the shared worker's queue."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with database_of_kind(kind, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One API and worker set per database kind, shared by the tests that do not break it."""
    with running_service(database_url, TEST_REDIS_URL, tmp_path_factory.mktemp("logs")) as live:
        yield live


@pytest.fixture
def api_only(own_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The API alone on a database of this test's own: no worker, so its jobs stay queued."""
    with running_api(own_database_url, TEST_REDIS_URL, tmp_path_factory.mktemp("logs")) as live:
        yield live


@pytest.fixture
def fresh(own_database_url: str, tmp_path: Path) -> Iterator[StartService]:
    """Start a service of this test's own (any Redis URL, extra settings); stopped afterwards."""
    started: list[Any] = []

    def start(
        redis_url: str = TEST_REDIS_URL,
        processes: tuple[str, ...] = SERVICE_PROCESSES,
        **extra: str,
    ) -> Service:
        context = running_service(
            own_database_url, redis_url, tmp_path, processes=processes, **extra
        )
        started.append(context)
        return context.__enter__()

    yield start
    for context in reversed(started):
        context.__exit__(None, None, None)


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may stop and restart."""
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the processes' last log lines to a failing integration test."""
    report = yield
    for value in getattr(item, "funcargs", {}).values():
        if report.failed and isinstance(value, Service):
            report.sections.append(("service logs", value.tail_logs()))
    return report
