"""Adaptive experiments over HTTP: refused by field, shown with their rounds, running while a
round is still to be decided."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.events.service import events_after
from models.job import Job, JobStatus

SMALL = {"dataset": {"train_size": 500, "test_size": 200}, "training": {"epochs": 1}}
ROUNDS = {"min": 2, "max": 4}
SEARCH = {"space": {"training.learning_rate": {"low": 1e-4, "high": 0.3, "log": True}}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seeds": {"min": 5, "max": 3}}, "seeds.max"),
        (
            {"grid": {"training.epochs": list(range(1, 41))}, "seeds": {"min": 3, "max": 15}},
            "seeds.max",
        ),
        (
            {"search": {"space": {"training.lr": {"low": 0.1, "high": 1}}}},
            "search.space.training.lr",
        ),
        (
            {"search": {"space": {"training.learning_rate": {"low": 1, "high": 0.1}}}},
            "search.space.training.learning_rate.high",
        ),
        ({"search": SEARCH | {"sampler": "grid"}}, "search.sampler"),
    ],
)
def test_a_bad_adaptive_spec_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    problem = client.post("/experiments", json={"base": SMALL, **body}).json()
    assert problem["status"] == 422
    assert [error["field"] for error in problem["errors"]] == [field]


def test_seeds_until_decided_start_with_min_seeds_and_show_their_first_round(
    client: TestClient,
) -> None:
    variants = [{"training": {"learning_rate": 0.001}}, {"training": {"learning_rate": 0.01}}]
    body = client.post(
        "/experiments", json={"base": SMALL, "variants": variants, "seeds": ROUNDS}
    ).json()
    assert [job["seed"] for job in body["jobs"]] == [0, 1, 0, 1]
    assert body["rounds"] == [
        {"round": 1, "seeds": {"lr 0.001": 2, "lr 0.01": 2}, "trials": None, "finalists": None}
    ]
    assert body["stopped"] is None


def test_a_search_starts_with_its_parallel_trials(client: TestClient) -> None:
    body = client.post(
        "/experiments", json={"base": SMALL, "search": SEARCH | {"parallel": 3}}
    ).json()
    assert [(job["trial"], job["seed"]) for job in body["jobs"]] == [(0, 0), (1, 0), (2, 0)]
    rates = {job["config"]["training"]["learning_rate"] for job in body["jobs"]}
    assert len(rates) == 3
    assert all(1e-4 <= rate <= 0.3 for rate in rates)
    assert body["rounds"][0]["trials"] == 3


def test_an_adaptive_experiment_whose_jobs_ended_runs_until_its_next_round_is_decided(
    client: TestClient, session: Session
) -> None:
    body = client.post("/experiments", json={"base": SMALL, "seeds": ROUNDS}).json()
    session.execute(
        update(Job)
        .where(Job.experiment_id == body["id"])
        .values(status=JobStatus.SUCCEEDED, final_test_loss=0.5)
    )
    session.commit()
    assert client.get(f"/experiments/{body['id']}").json()["status"] == "running"
    running = client.get("/experiments", params={"status": "running", "limit": 500}).json()
    assert body["id"] in [item["id"] for item in running["items"]]
    succeeded = client.get("/experiments", params={"status": "succeeded", "limit": 500}).json()
    assert body["id"] not in [item["id"] for item in succeeded["items"]]
    # Its event stream does not end either: the next round's jobs are still to come.
    assert events_after(session, after=0, experiment_id=body["id"])[1] is False


def test_the_report_of_seeds_until_decided_judges_at_the_designs_level(
    client: TestClient,
) -> None:
    rates = [{"training": {"learning_rate": rate}} for rate in (0.1, 0.01, 0.001)]
    spec = {"base": SMALL, "variants": rates, "seeds": ROUNDS}
    body = client.post("/experiments", json=spec).json()
    report = client.get(f"/experiments/{body['id']}/report").json()
    assert report["rounds"]["looks"] == 2  # 2 seeds, then 4
    assert report["rounds"]["level"] == pytest.approx(0.05 / (2 * 3))  # 3 pairs


def test_the_search_plot_is_an_image_even_before_any_trial_ended(client: TestClient) -> None:
    body = client.post("/experiments", json={"base": SMALL, "search": SEARCH}).json()
    svg = client.get(f"/experiments/{body['id']}/search.svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert client.get(f"/experiments/{body['id']}/search.png").content[:4] == b"\x89PNG"


def test_an_adaptive_experiment_reruns_as_its_spec_with_its_rounds_decided_anew(
    client: TestClient,
) -> None:
    body = client.post(
        "/experiments", json={"preset": "seed-question-adaptive", "name": "again"}
    ).json()
    again = client.post(f"/experiments/{body['id']}/rerun").json()
    assert again["name"] == "again"
    assert [r["round"] for r in again["rounds"]] == [1]
    assert len(again["jobs"]) == 9
