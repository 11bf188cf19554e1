"""Bodies: too large is 413, not JSON is 415; both as problem details."""

from fastapi.testclient import TestClient


def test_body_over_the_cap_is_413(client: TestClient) -> None:
    response = client.post(
        "/experiments",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_wrong_content_type_is_415(client: TestClient) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = client.post(
            "/experiments", content=b'{"name": "x"}', headers={"content-type": content_type}
        )
        assert response.status_code == 415, content_type
        assert "application/json" in response.json()["detail"]


def test_json_with_charset_and_bodiless_posts_are_accepted(client: TestClient) -> None:
    created = client.post(
        "/experiments",
        content=b'{"name": "charset"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert created.status_code == 202
    assert client.post(f"/experiments/{created.json()['id']}/cancel").status_code == 202
