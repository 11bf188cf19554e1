"""Bad input: 422 problem details that name the field and what is allowed; never a 500."""

from typing import Any

import pytest
from fastapi.testclient import TestClient


def problem_for(client: TestClient, body: Any, **kwargs: Any) -> dict[str, Any]:
    """POST a body that must be refused with 422; return the problem document."""
    response = client.post("/experiments", json=body, **kwargs)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert "Traceback" not in response.text
    return problem


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        (
            {"base": {"preprocessing": {"method": "log"}}},
            "base.preprocessing.method",
            "'none', 'scale', 'center', 'minmax', 'standardize' or 'standardize_per_pixel'",
        ),
        (
            {"base": {"training": {"epochs": 1000}}},
            "base.training.epochs",
            "less than or equal to 200",
        ),
        ({"base": {"model": {"activation": "swish"}}}, "base.model.activation", "'gelu'"),
        ({"grid": {"preprocessing.divisor": [0]}}, "grid", "grid['preprocessing.divisor'][0]"),
        ({"seeds": [0, 0]}, "seeds", "distinct"),
        ({"base": {"unknown": 1}}, "base.unknown", "Extra inputs are not permitted"),
        ({"variants": [{"loss": {"mode": "mse"}}]}, "variants.0.loss.mode", "'from_logits'"),
    ],
)
def test_invalid_spec_names_the_field(
    client: TestClient, body: Any, field: str, fragment: str
) -> None:
    problem = problem_for(client, body)
    assert problem["status"] == 422
    [error] = problem["errors"]
    assert error["field"] == field
    assert fragment in error["message"]
    assert field in problem["detail"]


def test_experiment_over_the_cap_is_refused_and_nothing_is_stored(client: TestClient) -> None:
    before = client.get("/experiments", params={"limit": 1}).json()["items"]
    body = {"grid": {"training.epochs": list(range(1, 101))}, "seeds": list(range(10))}
    problem = problem_for(client, body)
    assert "expands to 1000 jobs" in problem["detail"]
    assert client.get("/experiments", params={"limit": 1}).json()["items"] == before


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"text"', b"null", b'{"seeds": NaN}'])
def test_malformed_or_wrongly_typed_json_is_422(client: TestClient, raw: bytes) -> None:
    response = client.post(
        "/experiments", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_bad_query_parameters_are_422(client: TestClient) -> None:
    response = client.get("/jobs", params={"status": "sleeping"})
    assert response.status_code == 422
    assert "queued" in response.json()["detail"]
    assert client.get("/experiments", params={"limit": 0}).status_code == 422
    assert client.get("/jobs/abc").status_code == 422


def test_unknown_route_and_wrong_method_are_problems(client: TestClient) -> None:
    assert client.get("/nothing").json()["status"] == 404
    response = client.delete("/experiments")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "GET, HEAD, POST"  # both routes of the path
