"""The database out of reach: every route answers 503 with Retry-After and a stable text; the
driver's message (hosts, ports, file names) goes to the log, never to the client."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from harness.databases import TEST_DATABASE_KINDS, TEST_REDIS_URL
from models.settings import Settings

ROUTES = [
    ("GET", "/experiments"),
    ("GET", "/experiments/1"),
    ("GET", "/experiments/1/report"),
    ("GET", "/experiments/1/metrics"),
    ("GET", "/experiments/1/plot.png"),
    ("GET", "/experiments/1/events"),
    ("GET", "/jobs"),
    ("GET", "/jobs/1"),
    ("GET", "/jobs/1/metrics"),
    ("GET", "/jobs/1/diagnostics"),
    ("GET", "/jobs/1/events"),
    ("GET", "/metrics"),
    ("GET", "/ui/experiments"),
    ("GET", "/ui/experiments/1"),
    ("POST", "/experiments"),
    ("POST", "/experiments/1/cancel"),
    ("POST", "/jobs/1/cancel"),
]


@pytest.fixture(params=TEST_DATABASE_KINDS)
def unreachable(request: pytest.FixtureRequest, queue: str, tmp_path: Path) -> Iterator[TestClient]:
    """The API on a database that refuses every connection: a SQLite path that is a
    directory, or a PostgreSQL port where nothing listens."""
    url = {
        "sqlite": f"sqlite:///{tmp_path}",
        "postgresql": "postgresql+psycopg://normlab:secret@127.0.0.1:1/normlab_private",
    }[request.param]
    app = create_app(Settings(database_url=url, redis_url=TEST_REDIS_URL, queue=queue))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_every_route_answers_503_database_unavailable_without_the_drivers_text(
    unreachable: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    for method, path in ROUTES:
        response = unreachable.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == 503, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["detail"] == "database unavailable"
        for secret in ("127.0.0.1", "normlab_private", "sqlite", "unable to open", "psycopg"):
            assert secret not in response.text
    assert any("database unavailable on" in record.getMessage() for record in caplog.records)
    health = unreachable.get("/health")
    assert health.status_code == 503
    assert health.json()["database"] == "unavailable"
    assert int(health.headers["retry-after"]) >= 1
