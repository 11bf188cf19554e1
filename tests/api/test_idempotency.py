"""Idempotency-Key on POST /experiments: one experiment per key, sequential or concurrent."""

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.experiment import Experiment


def count_named(session: Session, name: str) -> int:
    """Experiments stored under a name."""
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(Experiment).where(Experiment.name == name))
        or 0
    )


def test_same_key_same_body_returns_the_first_experiment(
    client: TestClient, session: Session
) -> None:
    body = {"name": "idem-seq", "seeds": [0, 1]}
    first = client.post("/experiments", json=body, headers={"Idempotency-Key": "k-seq"})
    again = client.post("/experiments", json=body, headers={"Idempotency-Key": "k-seq"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["id"] == first.json()["id"]
    assert [j["id"] for j in again.json()["jobs"]] == [j["id"] for j in first.json()["jobs"]]
    assert again.headers["idempotent-replayed"] == "true"
    assert count_named(session, "idem-seq") == 1


def test_same_key_other_body_is_422(client: TestClient) -> None:
    client.post("/experiments", json={"name": "idem-a"}, headers={"Idempotency-Key": "k-other"})
    other = client.post(
        "/experiments", json={"name": "idem-b"}, headers={"Idempotency-Key": "k-other"}
    )
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]


def test_concurrent_duplicates_make_exactly_one_experiment(
    client: TestClient, session: Session
) -> None:
    body = {"name": "idem-race", "seeds": [0, 1, 2]}

    def post(_: int) -> tuple[int, int]:
        response = client.post("/experiments", json=body, headers={"Idempotency-Key": "k-race"})
        return response.status_code, response.json()["id"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(post, range(6)))
    assert {code for code, _ in results} == {202}
    assert len({experiment_id for _, experiment_id in results}) == 1
    assert count_named(session, "idem-race") == 1


def test_without_a_key_each_post_is_a_new_experiment(client: TestClient, session: Session) -> None:
    client.post("/experiments", json={"name": "idem-none"})
    client.post("/experiments", json={"name": "idem-none"})
    assert count_named(session, "idem-none") == 2
