"""GET /health against the real database and Redis, and against a broker that is down."""

import socket
import time

from fastapi.testclient import TestClient

from api.main import create_app
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


def test_broker_down_makes_health_503_and_post_503_quickly(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    with TestClient(create_app(down), raise_server_exceptions=False) as client:
        assert client.get("/health").json() == {
            "status": "unavailable",
            "database": "ok",
            "broker": "unavailable",
        }
        started = time.monotonic()
        response = client.post("/experiments", json={})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert "broker is unavailable" in response.json()["detail"]
        experiment_id = int(response.json()["detail"].split()[1].rstrip(":"))
        jobs = client.get(f"/experiments/{experiment_id}").json()["jobs"]
        assert {job["status"] for job in jobs} == {"failed"}
    assert elapsed < 10
