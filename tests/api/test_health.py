"""GET /health against the real database and Redis, and against a broker that is down."""

import socket
import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from models.job import Job
from models.settings import Settings


def free_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_health_is_ok_when_database_and_broker_answer(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_broker_down_makes_health_503_and_post_202_for_the_relay(
    settings: Settings, session: Session
) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        health = client.get("/health")
        assert health.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
        assert int(health.headers["retry-after"]) >= 1
        started = time.monotonic()
        response = client.post("/experiments", json={})
        elapsed = time.monotonic() - started
    assert response.status_code == 202
    [job] = response.json()["jobs"]
    assert job["status"] == "queued"
    row = session.get(Job, job["id"])
    assert row is not None
    assert row.enqueued_at is None  # left for the relay to publish once Redis is back
    assert elapsed < 10  # a bound against hanging, not a speed measurement
