"""API keys: no key or a wrong one is 401, another key's resources are 404, limits are 429
(counted on a clock the test moves, so no outcome depends on the machine's speed)."""

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from api.core.windows import SlidingWindow
from api.main import create_app
from models.settings import Settings, parse_api_keys

ALICE, BOB = "alice-token-0123456789", "bob-token-9876543210"


def entry(name: str, token: str) -> str:
    """A NORMLAB_API_KEYS entry for a token."""
    return f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"


@pytest.fixture
def keyed(settings: Settings) -> Iterator[TestClient]:
    """The API with two keys, a low request rate and a small job quota."""
    keyed_settings = settings.model_copy(
        update={
            "api_keys": f"{entry('alice', ALICE)},{entry('bob', BOB)}",
            "requests_per_minute": 1000,
            "max_active_jobs_per_key": 3,
        }
    )
    with TestClient(create_app(keyed_settings), raise_server_exceptions=False) as client:
        yield client


def as_(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def test_missing_or_wrong_key_is_401_with_a_bearer_challenge(keyed: TestClient) -> None:
    for headers in ({}, as_("nope"), {"Authorization": ALICE}, {"Authorization": "Basic abc"}):
        response = keyed.get("/experiments", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
    assert keyed.get("/health").status_code == 200  # probes need no key


def test_each_key_sees_only_its_own_experiments_and_jobs(keyed: TestClient) -> None:
    mine = keyed.post("/experiments", json={}, headers=as_(ALICE)).json()
    job_id = mine["jobs"][0]["id"]
    for path in (
        f"/experiments/{mine['id']}",
        f"/jobs/{job_id}",
        f"/jobs/{job_id}/metrics",
        f"/jobs/{job_id}/diagnostics",
        f"/experiments/{mine['id']}/report",
    ):
        assert keyed.get(path, headers=as_(ALICE)).status_code == 200
        assert keyed.get(path, headers=as_(BOB)).status_code == 404
    assert keyed.post(f"/jobs/{job_id}/cancel", headers=as_(BOB)).status_code == 404
    assert keyed.get(f"/jobs/{job_id}", headers=as_(ALICE)).json()["status"] == "queued"
    assert mine["id"] not in [
        e["id"] for e in keyed.get("/experiments", headers=as_(BOB)).json()["items"]
    ]
    assert (
        keyed.get("/jobs", headers=as_(BOB), params={"experiment_id": mine["id"]}).json()["items"]
        == []
    )


def test_queued_jobs_over_the_keys_quota_are_429_with_retry_after(keyed: TestClient) -> None:
    assert keyed.post("/experiments", json={"seeds": [0, 1]}, headers=as_(BOB)).status_code == 202
    over = keyed.post("/experiments", json={"seeds": [0, 1]}, headers=as_(BOB))
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) >= 1
    assert "limit of 3" in over.json()["detail"]
    assert keyed.post("/experiments", json={"seeds": [0, 1]}, headers=as_(ALICE)).status_code == 202


class Clock:
    """A clock the test moves: limits are counted on it, not on the machine's time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def frozen(client: TestClient, now: float) -> Clock:
    """Make the app's limits count on a clock the test moves."""
    clock = Clock(now)
    app: Any = client.app
    app.state.gatekeeper.clock = clock
    return clock


def test_requests_over_the_rate_are_429_with_retry_after(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"api_keys": entry("carol", "carol-token-abcdef"), "requests_per_minute": 3}
    )
    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        clock = frozen(client, 1_000.0)
        codes = [
            client.get("/experiments", headers=as_("carol-token-abcdef")).status_code
            for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        clock.now += 30
        refused = client.get("/experiments", headers=as_("carol-token-abcdef"))
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"
        clock.now += 30
        assert client.get("/experiments", headers=as_("carol-token-abcdef")).status_code == 200


def test_the_rate_window_slides_so_no_burst_passes_at_a_minute_edge(
    redis_client: redis.Redis, queue: str
) -> None:
    window = SlidingWindow(redis_client, f"normlab:rate:{queue}:", limit=3)
    # Three at the end of one minute: a fixed window would allow three more a second later.
    assert [window.hit("dave", 59.0) for _ in range(3)] == [None, None, None]
    assert window.hit("dave", 61.0) == pytest.approx(58.0)
    assert window.hit("dave", 118.5) == pytest.approx(0.5)
    assert window.hit("dave", 119.0) is None  # the first three are a minute old
    assert window.hit("dave", 119.0) is None
    assert window.hit("dave", 119.0) is None
    assert window.hit("dave", 119.0) == pytest.approx(60.0)


def test_failed_authentications_from_an_address_are_throttled(settings: Settings) -> None:
    throttled = settings.model_copy(
        update={"api_keys": entry("erin", "erin-token-abcdef"), "auth_failures_per_minute": 3}
    )
    with TestClient(create_app(throttled), raise_server_exceptions=False) as client:
        clock = frozen(client, 5_000.0)
        codes = [client.get("/experiments", headers=as_("guess")).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        refused = client.get("/experiments", headers=as_("guess"))
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert "failed authentications" in refused.json()["detail"]
        # A valid key from the same address is still served (a shared NAT is not locked out).
        assert client.get("/experiments", headers=as_("erin-token-abcdef")).status_code == 200
        clock.now += 60
        assert client.get("/experiments", headers=as_("guess")).status_code == 401


def test_with_keys_the_docs_the_schema_and_metrics_need_one(keyed: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
        refused = keyed.get(path)
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"] == "Bearer"
        assert keyed.get(path, headers=as_(ALICE)).status_code == 200, path


def test_configured_keys_must_be_hashes_and_not_placeholders() -> None:
    assert parse_api_keys(entry("a", "real-token-123")) == {
        "a": hashlib.sha256(b"real-token-123").hexdigest()
    }
    with pytest.raises(ValueError, match="name:sha256"):
        parse_api_keys("alice:plaintext")
    with pytest.raises(ValueError, match="placeholder"):
        parse_api_keys(entry("a", "changeme"))


def test_settings_copied_with_keys_require_those_keys(settings: Settings) -> None:
    assert settings.api_key_hashes == {}  # read before the copy, as a running app does
    keyed = settings.model_copy(update={"api_keys": entry("a", "real-token-123")})
    assert keyed.api_key_hashes == {"a": hashlib.sha256(b"real-token-123").hexdigest()}
