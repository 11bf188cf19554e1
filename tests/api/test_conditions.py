"""A job's conditions over HTTP: in GET /jobs/{id}, as a filter of GET /jobs, in the exports."""

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.condition import JobCondition
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import add_job

DEAD_STATEMENT = (
    "98% of hidden_1's 128 units are dead (zero on all 1,024 probe images) from epoch 1."
)
DEAD_EVIDENCE = {
    "values": {"hidden_1.dead_share": [0.97, 0.98]},
    "thresholds": {},
    "epochs": [1, 2],
}


def condition(job_id: int, name: str, kind: str, epoch: int, **values: object) -> JobCondition:
    """A stored condition of the job."""
    values.setdefault("statement", "")
    values.setdefault("evidence", {})
    return JobCondition(job_id=job_id, name=name, kind=kind, epoch=epoch, **values)


def arrange(session: Session) -> tuple[int, int, int]:
    """A job with a note and two problems, one with a note only, one with none."""
    config = JobConfig().resolved()
    sick, noted, healthy = (add_job(session, config, seed) for seed in range(3))
    session.add_all(
        [
            condition(sick, "tiny_inputs", "note", 0),
            condition(
                sick,
                "dead_units",
                "problem",
                1,
                subject="hidden_1",
                statement=DEAD_STATEMENT,
                evidence=DEAD_EVIDENCE,
            ),
            condition(sick, "at_chance", "problem", 2),
            condition(noted, "tiny_inputs", "note", 0),
        ]
    )
    session.commit()
    return sick, noted, healthy


def test_a_job_shows_its_conditions_problems_first(client: TestClient, session: Session) -> None:
    sick, _, healthy = arrange(session)
    conditions = client.get(f"/jobs/{sick}").json()["conditions"]
    assert [(c["name"], c["subject"], c["kind"], c["epoch"]) for c in conditions] == [
        ("dead_units", "hidden_1", "problem", 1),
        ("at_chance", "job", "problem", 2),
        ("tiny_inputs", "job", "note", 0),
    ]
    assert conditions[0]["statement"] == DEAD_STATEMENT
    assert conditions[0]["evidence"]["values"] == {"hidden_1.dead_share": [0.97, 0.98]}
    assert client.get(f"/jobs/{healthy}").json()["conditions"] == []


def test_a_job_s_conditions_and_their_causes_are_named_in_plain_words(
    client: TestClient, session: Session
) -> None:
    sick = add_job(session, JobConfig().resolved())
    dead = condition(sick, "dead_units", "problem", 1, subject="hidden_1")
    chance = condition(sick, "at_chance", "problem", 2, caused_by="dead_units")
    session.add_all([dead, chance])
    session.commit()
    conditions = client.get(f"/jobs/{sick}").json()["conditions"]
    assert [(c["name"], c["words"], c["follows_from"]) for c in conditions] == [
        ("dead_units", "dead units in the first hidden layer", None),
        ("at_chance", "accuracy at chance", "dead units in the first hidden layer"),
    ]


def test_jobs_are_filtered_by_condition(client: TestClient, session: Session) -> None:
    sick, noted, _ = arrange(session)

    def ids(query: str) -> list[int]:
        # Only this test's jobs: the database may hold other tests' too.
        items = client.get(f"/jobs?{query}&id>={sick}").json()["items"]
        return [job["id"] for job in items]

    assert ids("condition=dead_units") == [sick]
    assert ids("condition=tiny_inputs") == [sick, noted]
    assert ids("condition=overfitting") == []
    assert ids("condition=overfitting&condition=tiny_inputs&seed=1") == [noted]


def test_an_unknown_condition_is_refused_naming_the_parameter_and_the_names(
    client: TestClient,
) -> None:
    response = client.get("/jobs?condition=sad_units")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("query.condition")
    assert "dead_units" in detail
    assert "still_improving" in detail


def test_exports_carry_each_job_s_problems_and_notes(client: TestClient, session: Session) -> None:
    sick, noted, healthy = arrange(session)
    experiment_of = {
        job: client.get(f"/jobs/{job}").json()["experiment_id"] for job in (sick, noted, healthy)
    }
    for job in (sick, noted, healthy):
        session.add(EpochMetric(job_id=job, epoch=0, accuracy=0.1, test_accuracy=0.1, seconds=1))
    session.commit()
    sick_rows = client.get(f"/experiments/{experiment_of[sick]}/metrics").json()["items"]
    assert (sick_rows[0]["problems"], sick_rows[0]["notes"]) == (
        "at_chance,dead_units",
        "tiny_inputs",
    )
    text = client.get(f"/experiments/{experiment_of[healthy]}/metrics?format=csv").text
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["problems"], row["notes"]) == ("", "")
