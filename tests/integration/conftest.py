"""A real API and a real worker per database kind, shared by the integration tests."""

from collections.abc import Generator, Iterator

import pytest

from tests.conftest import TEST_REDIS_URL
from tests.integration.service import Service, running_service


@pytest.fixture(scope="session")
def service(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """uvicorn and a Celery worker against the test database and the real Redis."""
    with running_service(database_url, TEST_REDIS_URL, tmp_path_factory.mktemp("logs")) as live:
        yield live


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the API's and worker's last log lines to a failing integration test."""
    report = yield
    live = getattr(item, "funcargs", {}).get("service")
    if report.failed and isinstance(live, Service):
        report.sections.append(("service logs", live.tail_logs()))
    return report
