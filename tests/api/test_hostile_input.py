"""Inputs a hostile tester sends: each is a 422 (or 406) naming what is wrong, never a 500."""

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient


def forged(position: Any) -> str:
    """A cursor this API never handed out, in its encoding."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def names(response: Any) -> list[str]:
    """The fields a 422 problem names."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("preset", [{}, [], 1, True, None])
def test_a_preset_that_is_not_a_name_is_refused_by_field(client: TestClient, preset: Any) -> None:
    response = client.post("/experiments", json={"preset": preset, "name": "x"})
    if preset is None:  # no preset at all: the fields are read as they are
        assert response.status_code == 202
        return
    assert "preset" in names(response)


FORGED = [
    "not base64 at all!",
    forged({"after": 10**30}),
    forged({"before": 10**30}),
    forged([1]),
    forged(True),
    forged({"after": True, "before": True}),
    forged({"after": "7", "before": "7"}),
    forged({"after": -1, "before": -1}),
    forged({"id": 10**30, "value": 1.0}),
    forged({"id": True, "value": 1.0}),
    forged({"id": 1, "value": [1]}),
    forged({"id": 1, "value": True}),
    forged({"id": 1, "value": "not a number"}),
    forged({"id": 1, "value": {"a": 1}}),
    forged({"id": 1, "value": float("nan")}),  # Python's JSON writes and reads NaN
]


@pytest.mark.parametrize("cursor", FORGED)
def test_a_forged_cursor_is_a_422_naming_the_cursor(client: TestClient, cursor: str) -> None:
    for path, params in (
        ("/experiments", {}),
        ("/jobs", {}),
        ("/jobs", {"sort": "result.test_loss"}),
        ("/jobs", {"sort": "seed"}),
    ):
        assert names(client.get(path, params={**params, "cursor": cursor})) == ["query.cursor"]
    page = client.get("/ui/experiments", params={"cursor": cursor})
    assert page.status_code == 422


@pytest.mark.parametrize("value", ["\ud800", "a\x00b"])
def test_a_cursor_holding_text_no_database_stores_is_a_422(client: TestClient, value: str) -> None:
    params = {"sort": "preprocessing.method", "cursor": forged({"id": 1, "value": value})}
    assert names(client.get("/jobs", params=params)) == ["query.cursor"]


def test_a_filter_repeated_thousands_of_times_is_refused_with_the_bound(
    client: TestClient,
) -> None:
    response = client.get("/jobs?" + "&".join(["seed>=0"] * 3000))
    assert response.status_code == 422
    assert "at most 50 filter items" in response.json()["detail"]
    many_values = client.get("/jobs?seed=" + ",".join(map(str, range(500))))
    assert many_values.status_code == 422


@pytest.mark.parametrize("raw", ["%C2%B2", "9999999999999999999", "-1", "1e3", "0x10", "%201"])
def test_a_last_event_id_that_is_not_an_event_id_is_a_422(client: TestClient, raw: str) -> None:
    created = client.post("/experiments", json={}).json()
    job_id = created["jobs"][0]["id"]
    assert names(client.get(f"/jobs/{job_id}/events?last_event_id={raw}")) == [
        "query.last_event_id"
    ]
    header = {b"Last-Event-ID": "²".encode()}  # bytes: UTF-8 on the wire, as a client may send
    assert names(client.get(f"/experiments/{created['id']}/events", headers=header)) == [
        "header.Last-Event-ID"
    ]
    client.post(f"/experiments/{created['id']}/cancel")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"name": "\xff\xfe"}',  # invalid UTF-8
        b'{"seeds": [' + b"9" * 5000 + b"]}",  # past Python's integer-string limit
        b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}",  # nested past the parser's recursion
        b'{"name": "x",,}',  # malformed: a character offset is no field
    ],
)
def test_a_body_that_cannot_be_parsed_is_a_422_naming_the_body(
    client: TestClient, raw: bytes
) -> None:
    response = client.post(
        "/experiments", content=raw, headers={"content-type": "application/json"}
    )
    assert names(response) == ["body"]


def test_values_are_not_coerced_from_another_type(client: TestClient) -> None:
    body = {"base": {"dataset": {"train_size": True}}}
    assert names(client.post("/experiments", json=body)) == ["base.dataset.train_size"]
    assert names(client.get("/experiments/1.0")) == ["path.experiment_id"]
    assert names(client.get("/jobs/1.0")) == ["path.job_id"]
    assert names(client.get("/jobs", params={"limit": "5.0"})) == ["query.limit"]
    assert names(client.get("/experiments", params={"limit": " 5"})) == ["query.limit"]


def test_a_divisor_with_a_method_that_ignores_it_is_refused(client: TestClient) -> None:
    body = {"base": {"preprocessing": {"method": "standardize", "divisor": 255}}}
    assert names(client.post("/experiments", json=body)) == ["base.preprocessing.divisor"]
    # A variant's method over a base's divisor: the merge drops it, as written apart.
    merged = {
        "base": {"preprocessing": {"method": "scale", "divisor": 1000}},
        "variants": [{"preprocessing": {"method": "none"}}, {}],
    }
    created = client.post("/experiments", json=merged)
    assert created.status_code == 202, created.text
    client.post(f"/experiments/{created.json()['id']}/cancel")


@pytest.mark.parametrize("divisor", [5e-324, 1e-40, 1e300])
def test_a_divisor_that_makes_every_input_zero_or_infinite_is_refused(
    client: TestClient, divisor: float
) -> None:
    for body, field in (
        ({"base": {"preprocessing": {"divisor": divisor}}}, "base.preprocessing.divisor"),
        ({"variants": [{"preprocessing": {"divisor": divisor}}]}, "variants.0"),
        ({"grid": {"preprocessing.divisor": [255, divisor]}}, "grid"),
    ):
        response = client.post("/experiments", json=body)
        assert any(name.startswith(field) for name in names(response)), response.text
        assert "1e-36" in response.text or "1000000000000" in response.text


GET_ROUTES = [
    "/experiments",
    "/experiments/{experiment}",
    "/experiments/{experiment}/report",
    "/experiments/{experiment}/metrics",
    "/experiments/{experiment}/plot.svg",
    "/experiments/{experiment}/events",
    "/jobs/{job}",
    "/jobs/{job}/metrics",
    "/jobs/{job}/diagnostics",
    "/jobs/{job}/events",
    "/health",
    "/metrics",
    "/ui/experiments",
    "/ui/experiments/{experiment}",
]


def test_an_unknown_query_parameter_is_a_422_naming_it_on_every_route(
    client: TestClient,
) -> None:
    created = client.post("/experiments", json={}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    ids = {"experiment": created["id"], "job": created["jobs"][0]["id"]}
    for template in GET_ROUTES:
        path = template.format(**ids)
        assert "query.bogus" in names(client.get(path, params={"bogus": "1"})), path
    for path in (f"/experiments/{ids['experiment']}/cancel", f"/jobs/{ids['job']}/cancel"):
        assert names(client.post(path, params={"bogus": "1"})) == ["query.bogus"]
    assert names(client.post("/experiments", json={}, params={"dry_run": "1"})) == ["query.dry_run"]
    # GET /jobs reads every item as a filter: an unknown field is refused by its grammar.
    refused = client.get("/jobs", params={"bogus": "1"})
    assert refused.status_code == 422
    assert "bogus: not a filterable field" in refused.json()["detail"]


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    for path in ("/experiments", f"/jobs/{created['jobs'][0]['id']}", "/health"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
    assert client.head(f"/experiments/{created['id']}/events").status_code == 200


def test_an_export_in_a_media_type_it_cannot_be_is_406(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    path = f"/experiments/{created['id']}/metrics"
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert "text/csv" in refused.json()["detail"]
    for accept, media in (
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("", "application/json"),
    ):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)


def text_parameters(schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(path, where, name) of every path and query parameter that takes text, from the API's
    own OpenAPI schema: any string, an enum, or a list of either."""
    found = []
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            text = json.dumps(parameter["schema"])
            if parameter["in"] in ("path", "query") and ('"string"' in text or "$ref" in text):
                found.append((path, parameter["in"], parameter["name"]))
    return found


def test_nul_in_any_text_parameter_is_a_422_naming_it(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    ids = {"experiment_id": created["id"], "job_id": created["jobs"][0]["id"]}
    parameters = text_parameters(client.get("/openapi.json").json())
    assert len(parameters) >= 14  # the schema is read, not an empty list
    for template, where, name in parameters:
        path = template.format(**ids, image="a%00b")
        query = {"ids": "1,2"} if template.endswith("/compare") and name != "ids" else {}
        response = client.get(path, params={**query, name: "a\x00b"} if where == "query" else {})
        assert any(field.startswith(f"{where}.{name}") for field in names(response)), template
    # The pages, the free-form filters of GET /jobs and every text field of a body.
    for path, field in (
        ("/ui/experiments?name=a%00b", "query.name"),
        ("/ui/experiments?name=%00", "query.name"),
        ("/jobs?preprocessing.method=a%00b", "query.preprocessing.method"),
        ("/jobs?created_at>%00", "query.created_at"),
    ):
        assert names(client.get(path)) == [field], path
    for body, field in (
        ({"name": "a\x00b"}, "name"),
        ({"notes": "a\x00b"}, "notes"),
        ({"tags": ["a\x00b"]}, "tags.0"),
    ):
        assert names(client.patch(f"/experiments/{created['id']}", json=body)) == [field]
    assert names(client.post("/experiments", json={"name": "a\x00b"})) == ["name"]
    assert client.get(f"/experiments/{created['id']}").json()["notes"] == ""


@pytest.mark.parametrize("raw", ["NaN", "nan", "inf", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_is_a_422_naming_the_filter(
    client: TestClient, raw: str
) -> None:
    for field in ("result.test_loss", "summary.best_test_loss", "training.learning_rate"):
        response = client.get(f"/jobs?{field}<{raw}")
        assert names(response) == [f"query.{field}"]
        assert "expected a finite number" in response.json()["detail"]
    assert names(client.get(f"/jobs?sort=result.test_loss&preprocessing.divisor={raw}")) == [
        "query.preprocessing.divisor"
    ]


def test_an_unknown_diagnostic_name_is_a_422_listing_the_known_ones(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    path = f"/jobs/{created['jobs'][0]['id']}/diagnostics"
    for unknown in ("nope", "hidden_0.dead_share", "hidden_1.nope", "output.dead_share", "input"):
        response = client.get(path, params={"name": ["probe.loss", unknown]})
        assert names(response) == ["query.name.1"], unknown
        assert "hidden_<k>.{activation_mean" in response.json()["detail"]
    known = ["input.std", "output.clipped_true_share", "hidden_1.dead_share", "hidden_8.grad_norm"]
    known += ["probe.loss", "output.update_ratio", "hidden_2.saturated_share"]
    assert client.get(path, params={"name": known}).status_code == 200
