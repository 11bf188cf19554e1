"""POST /experiments and reading experiments back, over HTTP, with the real database and Redis."""

import json
from typing import Any

import redis
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.job import Job
from models.tasks import TRAIN_JOB

SEED_SPEC: dict[str, Any] = {
    "name": "seed question",
    "base": {"loss": {"mode": "clipped_probabilities"}, "training": {"epochs": 2}},
    "variants": [
        {"preprocessing": {"method": "scale", "divisor": 255}},
        {"preprocessing": {"method": "none"}},
        {"preprocessing": {"method": "scale", "divisor": 1000}},
    ],
    "seeds": [0, 1],
}


def queued_task_names_and_args(
    redis_client: redis.Redis, queue: str
) -> list[tuple[str, list[Any]]]:
    """The (task name, args) of every message waiting in the queue, oldest first."""
    messages = [json.loads(raw) for raw in reversed(redis_client.lrange(queue, 0, -1))]
    return [(m["headers"]["task"], json.loads(_body(m))[0]) for m in messages]


def _body(message: dict[str, Any]) -> str:
    import base64

    return base64.b64decode(message["body"]).decode()


def test_submit_returns_202_with_location_and_one_job_per_config_and_seed(
    client: TestClient, redis_client: redis.Redis, queue: str
) -> None:
    response = client.post("/experiments", json=SEED_SPEC)
    assert response.status_code == 202
    body = response.json()
    assert response.headers["location"] == f"/experiments/{body['id']}"
    assert (body["name"], body["status"]) == ("seed question", "queued")
    assert body["counts"]["queued"] == 6
    jobs = body["jobs"]
    assert [(j["config"]["preprocessing"]["divisor"], j["seed"]) for j in jobs] == [
        (255, 0),
        (255, 1),
        (None, 0),
        (None, 1),
        (1000, 0),
        (1000, 1),
    ]
    assert {j["status"] for j in jobs} == {"queued"}
    assert jobs[0]["progress"] == {"epoch": 0, "epochs": 2, "batches": 0, "batches_per_epoch": 0}
    assert jobs[0]["config"]["training"]["learning_rate"] == 0.001
    assert queued_task_names_and_args(redis_client, queue) == [
        (TRAIN_JOB, [job["id"]]) for job in jobs
    ]


def test_published_jobs_are_marked_so_the_relay_leaves_them(
    client: TestClient, session: Session
) -> None:
    jobs = client.post("/experiments", json=SEED_SPEC).json()["jobs"]
    ids = [job["id"] for job in jobs]
    marks = session.scalars(select(Job.enqueued_at).where(Job.id.in_(ids))).all()
    assert len(marks) == 6
    assert None not in marks


def test_read_experiment_shows_its_jobs_and_counts(client: TestClient) -> None:
    created = client.post("/experiments", json={"name": "one"}).json()
    response = client.get(f"/experiments/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == created["id"]
    assert [job["id"] for job in body["jobs"]] == [job["id"] for job in created["jobs"]]
    assert body["counts"] == {
        "queued": 1,
        "running": 0,
        "succeeded": 0,
        "failed": 0,
        "cancelled": 0,
    }


def test_list_is_newest_first_and_pages_with_a_cursor(client: TestClient) -> None:
    ids = [client.post("/experiments", json={"name": f"e{i}"}).json()["id"] for i in range(3)]
    first = client.get("/experiments", params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [ids[2], ids[1]]
    assert isinstance(first["next_cursor"], str)
    second = client.get("/experiments", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert second["items"][0]["id"] == ids[0]
    assert second["items"][0]["status"] == "queued"


def test_unknown_experiment_is_404_problem(client: TestClient) -> None:
    response = client.get("/experiments/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "experiment 999999 not found"


def test_cancel_experiment_cancels_its_queued_jobs(client: TestClient) -> None:
    created = client.post("/experiments", json={"seeds": [0, 1]}).json()
    response = client.post(f"/experiments/{created['id']}/cancel")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "cancelled"
    assert {job["status"] for job in body["jobs"]} == {"cancelled"}
    assert client.post(f"/experiments/{created['id']}/cancel").status_code == 202


def names(client: TestClient, **params: str) -> list[str]:
    """The names of the experiments GET /experiments lists with these parameters."""
    response = client.get("/experiments", params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_list_searches_names_by_substring_in_any_case(client: TestClient) -> None:
    for name in ("Seed Question A", "seed question b", "sgd sweep", "100%_done"):
        client.post("/experiments", json={"name": name})
    assert names(client, name="SEED QUESTION")[:2] == ["seed question b", "Seed Question A"]
    assert "sgd sweep" not in names(client, name="question")
    assert names(client, name="%_")[:1] == ["100%_done"]  # wildcards match themselves
    assert "sgd sweep" not in names(client, name="%_")


def test_list_filters_by_the_status_derived_from_the_jobs(
    client: TestClient, session: Session
) -> None:
    tag = f"status-{id(session)}"
    created = {
        kind: client.post("/experiments", json={"name": f"{tag} {kind}", "seeds": [0, 1]}).json()
        for kind in ("queued", "running", "succeeded", "cancelled")
    }
    client.post(f"/experiments/{created['cancelled']['id']}/cancel")
    for kind, statuses in (("running", ["running", "queued"]), ("succeeded", ["succeeded"] * 2)):
        for job, status in zip(created[kind]["jobs"], statuses, strict=True):
            row = session.get(Job, job["id"])
            assert row is not None
            row.status = status
    session.commit()
    for kind in created:
        assert names(client, name=tag, status=kind) == [f"{tag} {kind}"]
    assert names(client, name=tag, status="failed") == []
    assert client.get("/experiments", params={"status": "done"}).status_code == 422


def test_rerun_makes_a_new_experiment_with_the_same_configs_and_seeds(
    client: TestClient,
) -> None:
    first = client.post("/experiments", json=SEED_SPEC).json()
    response = client.post(f"/experiments/{first['id']}/rerun")
    assert response.status_code == 202
    again = response.json()
    assert again["id"] != first["id"]
    assert response.headers["location"] == f"/experiments/{again['id']}"
    assert again["name"] == first["name"]
    assert [(job["config"], job["seed"]) for job in again["jobs"]] == [
        (job["config"], job["seed"]) for job in first["jobs"]
    ]
    assert {job["status"] for job in again["jobs"]} == {"queued"}


def test_rerun_of_a_preset_experiment_runs_the_preset_again(client: TestClient) -> None:
    first = client.post("/experiments", json={"preset": "seed-question", "seeds": [3]}).json()
    again = client.post(f"/experiments/{first['id']}/rerun").json()
    assert [job["config"] for job in again["jobs"]] == [job["config"] for job in first["jobs"]]
    assert {job["seed"] for job in again["jobs"]} == {3}
    assert client.post("/experiments/999999/rerun").status_code == 404
