"""The everyday verbs over HTTP: rename, notes and tags, search, archive, delete, re-run."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.main import create_app
from models.condition import JobCondition
from models.diagnostic import JobDiagnostic
from models.event import JobEvent
from models.experiment import Experiment
from models.job import Job, JobStatus
from models.metric import EpochMetric
from models.settings import Settings
from models.spec import JobConfig
from tests.api.test_auth import as_, entry
from tests.rows import job_row

SPEC: dict[str, Any] = {
    "name": "verbs",
    "base": {"training": {"epochs": 1}, "dataset": {"train_size": 100, "test_size": 100}},
    "variants": [
        {"preprocessing": {"method": "scale", "divisor": 255}},
        {"preprocessing": {"method": "scale", "divisor": 1000}},
    ],
    "seeds": [3, 7],
}


@pytest.fixture
def owners(settings: Settings) -> Iterator[tuple[TestClient, str, str]]:
    """The API with two keys of this test's own (the shared database holds other keys' jobs),
    and their tokens."""
    mine, theirs = unique("mine"), unique("theirs")
    keys = f"{entry(mine, mine)},{entry(theirs, theirs)}"
    keyed = settings.model_copy(update={"api_keys": keys, "requests_per_minute": 1000})
    with TestClient(create_app(keyed), raise_server_exceptions=False) as client:
        yield client, mine, theirs


def unique(prefix: str) -> str:
    """A name no other test's experiment has (the test database is shared)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def listed(client: TestClient, **params: str | bool | list[str]) -> list[int]:
    """The ids GET /experiments lists with these parameters."""
    response = client.get("/experiments", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_patch_renames_and_sets_notes_and_tags_and_keeps_fields_left_out(
    client: TestClient,
) -> None:
    experiment = client.post("/experiments", json=SPEC).json()
    path = f"/experiments/{experiment['id']}"
    response = client.patch(path, json={"name": "renamed", "tags": ["seed", "x/255"]})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["tags"]) == ("renamed", ["seed", "x/255"])
    client.patch(path, json={"notes": "the divisor question"})
    body = client.get(path).json()
    assert (body["name"], body["notes"], body["tags"]) == (
        "renamed",
        "the divisor question",
        ["seed", "x/255"],
    )
    assert client.patch(path, json={"tags": [], "notes": ""}).json()["tags"] == []


def test_patch_refuses_unknown_fields_nulls_and_bad_tags_naming_the_field(
    client: TestClient,
) -> None:
    path = f"/experiments/{client.post('/experiments', json=SPEC).json()['id']}"
    for body, field in (
        ({"status": "succeeded"}, "status"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"tags": ["a b"]}, "tags.0"),
        ({"tags": ["same", "same"]}, "tags"),
        ({"tags": "seed"}, "tags"),
        ({"notes": "x" * 10_001}, "notes"),
    ):
        response = client.patch(path, json=body)
        assert response.status_code == 422, body
        assert field in [error["field"] for error in response.json()["errors"]], body
    assert client.get(path).json()["name"] == "verbs"
    assert client.patch("/experiments/2147483000", json={"name": "x"}).status_code == 404


def test_list_filters_by_every_tag_given_and_by_a_name_part_in_any_case(
    client: TestClient,
) -> None:
    tag, other = unique("tag"), unique("other")
    name = unique("Divisor Study")
    both = client.post("/experiments", json=SPEC | {"name": name}).json()["id"]
    one = client.post("/experiments", json=SPEC).json()["id"]
    client.patch(f"/experiments/{both}", json={"tags": [tag, other]})
    client.patch(f"/experiments/{one}", json={"tags": [tag]})
    assert listed(client, tag=tag) == [one, both]
    assert listed(client, tag=[tag, other]) == [both]
    assert listed(client, name=name[-12:].upper()) == [both]
    assert listed(client, name="100%_no_such") == []  # LIKE wildcards are literal
    assert listed(client, tag=[tag], name=name.lower()) == [both]
    assert client.get("/experiments", params={"tag": "a b"}).status_code == 422


def test_archived_experiments_leave_the_lists_until_unarchived_and_stay_readable(
    client: TestClient,
) -> None:
    tag = unique("archive")
    ids = [client.post("/experiments", json=SPEC).json()["id"] for _ in range(2)]
    for experiment_id in ids:
        client.patch(f"/experiments/{experiment_id}", json={"tags": [tag]})
    response = client.post(f"/experiments/{ids[0]}/archive")
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    assert listed(client, tag=tag) == [ids[1]]
    assert listed(client, tag=tag, archived=True) == [ids[0]]
    assert client.get(f"/experiments/{ids[0]}").status_code == 200
    client.post(f"/experiments/{ids[0]}/unarchive")
    assert listed(client, tag=tag) == [ids[1], ids[0]]
    assert client.post("/experiments/2147483000/archive").status_code == 404


def arrange_ended(session: Session, status: JobStatus) -> tuple[int, list[int]]:
    """An experiment of two jobs with an epoch, a diagnostic, an event and a condition each;
    the second job in `status`."""
    experiment = Experiment(name="to delete", spec={})
    config = JobConfig.model_validate({"training": {"epochs": 1}}).resolved()
    jobs = [job_row(experiment, config, 0, status=JobStatus.SUCCEEDED)]
    jobs.append(job_row(experiment, config, 1, status=status))
    session.add_all(jobs)
    session.flush()
    for job in jobs:
        session.add_all(
            [
                EpochMetric(job_id=job.id, epoch=0, loss=2.3, seconds=0.1),
                JobDiagnostic(job_id=job.id, epoch=0, name="probe.loss", value=2.3),
                JobEvent(job_id=job.id, experiment_id=experiment.id, kind="status", data={}),
                JobCondition(
                    job_id=job.id,
                    name="at_chance",
                    kind="problem",
                    epoch=0,
                    statement="s",
                    evidence={},
                ),
            ]
        )
    session.commit()
    return experiment.id, [job.id for job in jobs]


def rows_of(session: Session, job_ids: list[int]) -> int:
    """How many rows any table holds for these jobs."""
    session.expire_all()
    tables = (
        Job.id,
        EpochMetric.job_id,
        JobDiagnostic.job_id,
        JobEvent.job_id,
        JobCondition.job_id,
    )
    return sum(
        session.scalar(select(func.count()).where(column.in_(job_ids))) or 0 for column in tables
    )


def test_delete_removes_the_experiment_with_every_row_of_its_jobs(
    client: TestClient, session: Session
) -> None:
    experiment_id, job_ids = arrange_ended(session, JobStatus.QUEUED)
    response = client.delete(f"/experiments/{experiment_id}")
    assert response.status_code == 204
    assert client.get(f"/experiments/{experiment_id}").status_code == 404
    assert rows_of(session, job_ids) == 0
    assert client.delete(f"/experiments/{experiment_id}").status_code == 404


def test_a_deleted_experiments_ids_are_never_given_again(client: TestClient) -> None:
    first = client.post("/experiments", json={}).json()  # the newest experiment and job
    assert client.delete(f"/experiments/{first['id']}").status_code == 204
    second = client.post("/experiments", json={}).json()
    assert second["id"] > first["id"]
    assert second["jobs"][0]["id"] > first["jobs"][0]["id"]


def test_delete_with_a_running_job_asks_it_to_stop_answers_409_then_deletes_once_it_stopped(
    client: TestClient, session: Session
) -> None:
    experiment_id, job_ids = arrange_ended(session, JobStatus.RUNNING)
    response = client.delete(f"/experiments/{experiment_id}")
    assert response.status_code == 409
    assert "has running jobs" in response.json()["detail"]
    assert "retry when they have stopped" in response.json()["detail"]
    session.expire_all()
    running = session.get(Job, job_ids[1])
    assert running is not None
    assert running.cancel_requested_at is not None
    running.status = JobStatus.CANCELLED  # what the worker does when it sees the request
    session.commit()
    assert client.delete(f"/experiments/{experiment_id}").status_code == 204
    assert rows_of(session, job_ids) == 0


def pairs(experiment: dict[str, Any]) -> list[tuple[float, int]]:
    """(divisor, seed) of each job, in order."""
    return [(j["config"]["preprocessing"]["divisor"], j["seed"]) for j in experiment["jobs"]]


def test_rerun_of_an_experiment_makes_a_new_one_with_the_same_configs_seeds_name_and_tags(
    client: TestClient, session: Session
) -> None:
    source = client.post("/experiments", json=SPEC).json()
    client.patch(f"/experiments/{source['id']}", json={"tags": ["rerun-me"], "notes": "old"})
    response = client.post(f"/experiments/{source['id']}/rerun")
    assert response.status_code == 202
    again = response.json()
    assert response.headers["location"] == f"/experiments/{again['id']}"
    assert again["id"] != source["id"]
    assert pairs(again) == pairs(source) == [(255, 3), (255, 7), (1000, 3), (1000, 7)]
    assert [j["config"] for j in again["jobs"]] == [j["config"] for j in source["jobs"]]
    assert (again["name"], again["tags"]) == ("verbs", ["rerun-me"])
    assert again["notes"] == f"re-run of experiment {source['id']}"
    keys = session.scalars(
        select(Job.config_key).where(Job.experiment_id.in_([source["id"], again["id"]]))
    )
    assert len(set(keys)) == 2  # the same two configs, by their hashes


def test_rerun_of_a_job_makes_a_one_job_experiment_with_its_config_and_seed(
    client: TestClient,
) -> None:
    source = client.post("/experiments", json=SPEC).json()
    job = source["jobs"][3]
    response = client.post(f"/jobs/{job['id']}/rerun")
    assert response.status_code == 202
    again = response.json()
    assert [(j["config"], j["seed"]) for j in again["jobs"]] == [(job["config"], 7)]
    assert again["notes"] == f"re-run of job {job['id']} of experiment {source['id']}"
    assert client.post("/jobs/2147483000/rerun").status_code == 404


def test_another_keys_experiment_cannot_be_changed_archived_deleted_or_rerun(
    owners: tuple[TestClient, str, str],
) -> None:
    keyed, alice, bob = owners
    mine = keyed.post("/experiments", json={}, headers=as_(alice)).json()
    path = f"/experiments/{mine['id']}"
    job = f"/jobs/{mine['jobs'][0]['id']}"
    for method, url, body in (
        ("PATCH", path, {"name": "stolen"}),
        ("POST", f"{path}/archive", None),
        ("POST", f"{path}/unarchive", None),
        ("DELETE", path, None),
        ("POST", f"{path}/rerun", None),
        ("POST", f"{job}/rerun", None),
        ("GET", f"/experiments/compare?ids={mine['id']},{mine['id'] + 1}", None),
    ):
        response = keyed.request(method, url, json=body, headers=as_(bob))
        assert response.status_code == 404, (method, url)
    assert keyed.get(path, headers=as_(alice)).json()["name"] == mine["name"]
    assert keyed.post(f"{path}/rerun", headers=as_(alice)).status_code == 202
