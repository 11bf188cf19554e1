"""Server-Sent Events from the job event log: order, end of stream, resuming by Last-Event-ID."""

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.base import utcnow
from models.event import EPOCH, STATUS, job_event
from models.job import Job, JobStatus
from models.spec import JobConfig
from tests.rows import add_job


def finished_job_with_events(session: Session) -> int:
    """A succeeded job whose log holds queued, running, two epochs and succeeded."""
    job_id = add_job(
        session, JobConfig().resolved(), 0, status=JobStatus.SUCCEEDED, finished_at=utcnow()
    )
    job = session.get(Job, job_id)
    assert job is not None
    log: list[tuple[str, dict[str, Any]]] = [
        (STATUS, {"status": "queued"}),
        (STATUS, {"status": "running", "attempt": 1}),
        (EPOCH, {"epoch": 0, "loss": 2.3}),
        (EPOCH, {"epoch": 1, "loss": 0.5}),
        (STATUS, {"status": "succeeded", "error": None}),
    ]
    for kind, data in log:
        session.execute(job_event(job_id, job.experiment_id, kind, **data))
    session.commit()
    return job_id


def read_stream(client: TestClient, path: str, **headers: str) -> list[dict[str, Any]]:
    """Every event of a stream until it ends, as {id, event, data}."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    with client.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if current:
                    events.append(current)
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = json.loads(value) if key == "data" else value
    return events


def test_job_stream_replays_the_log_in_order_and_ends(client: TestClient, session: Session) -> None:
    job_id = finished_job_with_events(session)
    events = read_stream(client, f"/jobs/{job_id}/events")
    assert [e["event"] for e in events] == ["status", "status", "epoch", "epoch", "status", "end"]
    assert [e["data"].get("status") for e in events[:2]] == ["queued", "running"]
    assert events[3]["data"]["epoch"] == 1
    assert all(e["data"]["job_id"] == job_id for e in events[:-1])
    ids = [int(e["id"]) for e in events[:-1]]
    assert ids == sorted(ids)


def test_reconnecting_with_last_event_id_resumes_without_loss(
    client: TestClient, session: Session
) -> None:
    job_id = finished_job_with_events(session)
    everything = read_stream(client, f"/jobs/{job_id}/events")
    resumed = read_stream(
        client, f"/jobs/{job_id}/events", **{"Last-Event-ID": everything[2]["id"]}
    )
    assert [e["id"] for e in resumed[:-1]] == [e["id"] for e in everything[3:-1]]
    by_param = read_stream(client, f"/jobs/{job_id}/events?last_event_id={everything[3]['id']}")
    assert [e["event"] for e in by_param] == ["status", "end"]


def test_experiment_stream_holds_every_job_and_ends_when_all_have(client: TestClient) -> None:
    created = client.post("/experiments", json={"seeds": [0, 1]}).json()
    client.post(f"/experiments/{created['id']}/cancel")
    events = read_stream(client, f"/experiments/{created['id']}/events")
    assert [(e["data"]["job_id"], e["data"]["status"]) for e in events[:-1]] == [
        (created["jobs"][0]["id"], "queued"),
        (created["jobs"][1]["id"], "queued"),
        (created["jobs"][0]["id"], "cancelled"),
        (created["jobs"][1]["id"], "cancelled"),
    ]
    assert events[-1]["event"] == "end"


def test_stream_of_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/jobs/777777/events").status_code == 404
    assert client.get("/experiments/777777/events").status_code == 404


def test_a_stream_shows_only_the_epochs_of_the_attempt_that_counts(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(
        session,
        JobConfig().resolved(),
        0,
        status=JobStatus.SUCCEEDED,
        attempt=2,
        finished_at=utcnow(),
    )
    job = session.get(Job, job_id)
    assert job is not None
    # Attempt 1 was killed after two epochs; the reaper re-queued it and attempt 2 re-ran them.
    log: list[tuple[str, int | None, dict[str, Any]]] = [
        (STATUS, None, {"status": "queued"}),
        (STATUS, 1, {"status": "running"}),
        (EPOCH, 1, {"epoch": 0, "loss": 2.3}),
        (EPOCH, 1, {"epoch": 1, "loss": 0.9}),
        (STATUS, None, {"status": "queued", "reason": "requeued"}),
        (STATUS, 2, {"status": "running"}),
        (EPOCH, 2, {"epoch": 0, "loss": 2.3}),
        (EPOCH, 2, {"epoch": 1, "loss": 0.5}),
        (STATUS, 2, {"status": "succeeded", "error": None}),
    ]
    for kind, attempt, data in log:
        session.execute(job_event(job_id, job.experiment_id, kind, attempt=attempt, **data))
    session.commit()
    events = read_stream(client, f"/jobs/{job_id}/events")
    epochs = [e["data"] for e in events if e["event"] == EPOCH]
    assert [(e["epoch"], e["loss"], e["attempt"]) for e in epochs] == [(0, 2.3, 2), (1, 0.5, 2)]
    statuses = [
        (e["data"]["status"], e["data"].get("attempt")) for e in events if e["event"] == STATUS
    ]
    assert statuses[:2] == [("queued", None), ("running", 1)]
    assert statuses[-1] == ("succeeded", 2)
