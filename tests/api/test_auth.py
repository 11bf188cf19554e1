"""API keys: no key or a wrong one is 401, another key's resources are 404, limits are 429."""

import hashlib
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

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


def test_requests_over_the_rate_are_429_with_retry_after(settings: Settings) -> None:
    name = f"carol-{uuid.uuid4().hex[:8]}"  # the window's counter lives in Redis: a fresh name
    limited = settings.model_copy(
        update={"api_keys": entry(name, "carol-token-abcdef"), "requests_per_minute": 3}
    )
    with TestClient(create_app(limited), raise_server_exceptions=False) as client:
        responses = [
            client.get("/experiments", headers=as_("carol-token-abcdef")) for _ in range(10)
        ]
    codes = [response.status_code for response in responses]
    # 3 a minute: even if the minute turns during the loop, a 429 comes by the seventh request.
    assert codes[0] == 200
    assert 429 in codes[:7]
    refused = responses[codes.index(429)]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_configured_keys_must_be_hashes_and_not_placeholders() -> None:
    assert parse_api_keys(entry("a", "real-token-123")) == {
        "a": hashlib.sha256(b"real-token-123").hexdigest()
    }
    with pytest.raises(ValueError, match="name:sha256"):
        parse_api_keys("alice:plaintext")
    with pytest.raises(ValueError, match="placeholder"):
        parse_api_keys(entry("a", "changeme"))
