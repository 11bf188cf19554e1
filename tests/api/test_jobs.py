"""Reading, listing and cancelling jobs over HTTP; rows arranged directly in the database."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from harness.databases import terminate_other_connections
from models.base import utcnow
from models.diagnostic import JobDiagnostic
from models.job import Job, JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import add_job


def test_job_shows_config_progress_and_no_result_while_queued(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(session, JobConfig().resolved(), seed=5)
    body = client.get(f"/jobs/{job_id}").json()
    assert (body["id"], body["status"], body["seed"]) == (job_id, "queued", 5)
    assert body["progress"] == {"epoch": 0, "epochs": 5, "batches": 0, "batches_per_epoch": 0}
    assert (body["result"], body["error"], body["started_at"]) == (None, None, None)
    assert body["created_at"].endswith("Z")


def test_a_job_is_read_after_the_database_dropped_every_connection(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(session, JobConfig().resolved())
    assert client.get(f"/jobs/{job_id}").status_code == 200  # its connection is now pooled
    if session.get_bind().dialect.name == "postgresql":  # as a restart would; SQLite has none
        terminate_other_connections(session.connection())
        session.commit()
    assert client.get(f"/jobs/{job_id}").json()["id"] == job_id


def _statements(client: TestClient, method: str, path: str) -> list[tuple[str, str | None]]:
    """Each statement the request sent: its first word and the isolation level it ran under."""
    engine: Engine = client.app.state.sessionmaker.kw["bind"]  # type: ignore[attr-defined]
    seen: list[tuple[str, str | None]] = []

    def record(connection: object, _cursor: object, statement: str, *_: object) -> None:
        options = connection.get_execution_options()  # type: ignore[attr-defined]
        seen.append((statement.split()[0], options.get("isolation_level")))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.request(method, path).status_code < 300
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_reading_a_job_is_one_statement_outside_any_transaction(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(session, JobConfig().resolved())
    assert _statements(client, "GET", f"/jobs/{job_id}") == [("SELECT", "AUTOCOMMIT")]
    cancel = _statements(client, "POST", f"/jobs/{job_id}/cancel")
    assert "UPDATE" in {word for word, _ in cancel}
    assert {level for _, level in cancel} == {None}  # a write keeps its transaction


def test_succeeded_job_shows_its_result(client: TestClient, session: Session) -> None:
    job_id = add_job(
        session,
        JobConfig().resolved(),
        status=JobStatus.SUCCEEDED,
        epochs_done=5,
        final_loss=0.3,
        final_accuracy=0.9,
        final_test_loss=0.35,
        final_test_accuracy=0.87,
    )
    body = client.get(f"/jobs/{job_id}").json()
    assert body["result"] == {
        "loss": 0.3,
        "accuracy": 0.9,
        "test_loss": 0.35,
        "test_accuracy": 0.87,
    }


def test_metrics_come_back_in_epoch_order_with_nulls_for_non_finite(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(session, JobConfig().resolved(), status=JobStatus.FAILED)
    session.add_all(
        [
            EpochMetric(
                job_id=job_id,
                epoch=1,
                loss=None,
                accuracy=0.1,
                test_loss=None,
                test_accuracy=0.1,
                seconds=1.5,
            ),
            EpochMetric(
                job_id=job_id,
                epoch=0,
                loss=2.3,
                accuracy=0.1,
                test_loss=2.31,
                test_accuracy=0.09,
                seconds=0.5,
            ),
        ]
    )
    session.commit()
    items = client.get(f"/jobs/{job_id}/metrics").json()["items"]
    assert [item["epoch"] for item in items] == [0, 1]
    assert items[0] == {
        "epoch": 0,
        "loss": 2.3,
        "accuracy": 0.1,
        "test_loss": 2.31,
        "test_accuracy": 0.09,
        "seconds": 0.5,
    }
    assert items[1]["loss"] is None


def test_list_filters_by_experiment_and_status(client: TestClient) -> None:
    created = client.post("/experiments", json={"seeds": [0, 1, 2]}).json()
    ids = [job["id"] for job in created["jobs"]]
    client.post(f"/jobs/{ids[1]}/cancel")
    params = {"experiment_id": created["id"]}
    assert [j["id"] for j in client.get("/jobs", params=params).json()["items"]] == ids
    queued = client.get("/jobs", params={**params, "status": "queued"}).json()["items"]
    assert [j["id"] for j in queued] == [ids[0], ids[2]]
    both = client.get(
        "/jobs",
        params=[("experiment_id", created["id"]), ("status", "queued"), ("status", "cancelled")],
    )
    assert len(both.json()["items"]) == 3
    page = client.get("/jobs", params={**params, "limit": 2}).json()
    assert [j["id"] for j in page["items"]] == ids[:2]
    rest = client.get("/jobs", params={**params, "limit": 2, "cursor": page["next_cursor"]}).json()
    assert ([j["id"] for j in rest["items"]], rest["next_cursor"]) == ([ids[2]], None)


def test_cancel_queued_job_ends_it_at_once_and_is_harmless_twice(
    client: TestClient, session: Session
) -> None:
    job_id = add_job(session, JobConfig().resolved())
    first = client.post(f"/jobs/{job_id}/cancel")
    assert first.status_code == 202
    assert first.json()["status"] == "cancelled"
    second = client.post(f"/jobs/{job_id}/cancel")
    assert (second.status_code, second.json()["status"]) == (202, "cancelled")


def test_cancel_running_job_asks_the_worker_to_stop(client: TestClient, session: Session) -> None:
    job_id = add_job(session, JobConfig().resolved(), status=JobStatus.RUNNING, attempt=1)
    body = client.post(f"/jobs/{job_id}/cancel").json()
    assert (body["status"], body["cancel_requested"]) == ("running", True)
    session.expire_all()
    assert session.get(Job, job_id).cancel_requested_at is not None  # type: ignore[union-attr]


def test_cancel_finished_job_is_409(client: TestClient, session: Session) -> None:
    for status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        job_id = add_job(session, JobConfig().resolved(), status=status)
        response = client.post(f"/jobs/{job_id}/cancel")
        assert response.status_code == 409
        assert response.json()["detail"] == f"job {job_id} has already ended: {status}"


def test_unknown_job_is_404_everywhere(client: TestClient) -> None:
    for path in ("/jobs/987654", "/jobs/987654/metrics"):
        assert client.get(path).status_code == 404
    assert client.post("/jobs/987654/cancel").status_code == 404


def ended_job(session: Session, **values: object) -> int:
    """A succeeded job with a curve summary, arranged directly."""
    defaults: dict[str, object] = {
        "status": JobStatus.SUCCEEDED,
        "finished_at": utcnow(),
        "stuck": False,
        "epochs_done": 5,
    }
    return add_job(session, JobConfig().resolved(), 0, **(defaults | values))


def test_ended_job_carries_its_curve_summary(client: TestClient, session: Session) -> None:
    job_id = ended_job(
        session,
        best_test_loss=0.33,
        best_test_loss_epoch=4,
        epochs_to_accuracy_80=1,
        train_loss_auc=3.1,
        stuck=True,
    )
    summary = client.get(f"/jobs/{job_id}").json()["summary"]
    assert summary == {
        "best_test_loss": 0.33,
        "best_test_loss_epoch": 4,
        "best_test_accuracy": None,
        "best_test_accuracy_epoch": None,
        "epochs_to_accuracy_80": 1,
        "epochs_to_accuracy_85": None,
        "train_loss_auc": 3.1,
        "stuck": True,
        "diverged_epoch": None,
    }
    queued = add_job(session, JobConfig().resolved())
    assert client.get(f"/jobs/{queued}").json()["summary"] is None


def test_diagnostics_long_form_filtered(client: TestClient, session: Session) -> None:
    job_id = ended_job(session, epochs_done=1)
    session.add_all(
        [
            JobDiagnostic(job_id=job_id, epoch=0, name="input.max", value=255.0),
            JobDiagnostic(job_id=job_id, epoch=0, name="output.clipped_true_share", value=0.8),
            JobDiagnostic(job_id=job_id, epoch=1, name="output.clipped_true_share", value=0.9),
            JobDiagnostic(job_id=job_id, epoch=1, name="output.grad_norm", value=None),
        ]
    )
    session.commit()
    items = client.get(f"/jobs/{job_id}/diagnostics").json()["items"]
    assert [(i["epoch"], i["name"]) for i in items] == [
        (0, "input.max"),
        (0, "output.clipped_true_share"),
        (1, "output.clipped_true_share"),
        (1, "output.grad_norm"),
    ]
    only = client.get(
        f"/jobs/{job_id}/diagnostics", params={"name": "output.clipped_true_share", "epoch": 1}
    )
    assert only.json()["items"] == [{"epoch": 1, "name": "output.clipped_true_share", "value": 0.9}]
    assert only.json()["words"] == {
        "output.clipped_true_share": "the share of probe images at the 1e-7 clip"
    }


def test_a_job_shows_its_summary_diagnostics_before_training_and_at_its_last_epoch(
    client: TestClient, session: Session
) -> None:
    last = {"output.clipped_true_share": 0.9, "output.grad_norm": None}
    job_id = ended_job(
        session,
        epochs_done=1,
        diagnostics_first={"output.clipped_true_share": 0.8},
        diagnostics_last=last,
    )
    summary = client.get(f"/jobs/{job_id}").json()["diagnostics"]
    assert summary["chance_loss"] == pytest.approx(2.302585)
    assert summary["epoch_0"] == {"output.clipped_true_share": 0.8}
    assert (summary["last_epoch"], summary["last"]) == (1, last)
    assert client.get(f"/jobs/{ended_job(session)}").json()["diagnostics"] is None


def test_list_filters_on_stuck_and_diverged_and_sorts_with_empty_values_last(
    client: TestClient, session: Session
) -> None:
    created = client.post("/experiments", json={"seeds": [0, 1, 2, 3]}).json()
    ids = [job["id"] for job in created["jobs"]]
    values = [(0.5, False, None), (0.3, True, None), (None, False, 2), (0.4, False, None)]
    for job_id, (loss, stuck, diverged) in zip(ids, values, strict=True):
        row = session.get(Job, job_id)
        assert row is not None
        row.best_test_loss, row.stuck, row.diverged_epoch = loss, stuck, diverged
    session.commit()
    base = {"experiment_id": created["id"]}

    def listed(**params: str) -> list[int]:
        return [j["id"] for j in client.get("/jobs", params={**base, **params}).json()["items"]]

    assert listed(stuck="true") == [ids[1]]
    assert listed(diverged="true") == [ids[2]]
    assert listed(diverged="false") == [ids[0], ids[1], ids[3]]
    assert listed(sort="summary.best_test_loss") == [ids[1], ids[3], ids[0], ids[2]]
    assert listed(sort="summary.best_test_loss", desc="true") == [ids[0], ids[3], ids[1], ids[2]]
    page = client.get("/jobs", params={**base, "sort": "summary.best_test_loss", "limit": 3}).json()
    rest = client.get(
        "/jobs",
        params={
            **base,
            "sort": "summary.best_test_loss",
            "limit": 3,
            "cursor": page["next_cursor"],
        },
    ).json()
    assert [j["id"] for j in rest["items"]] == [ids[2]]
    assert rest["next_cursor"] is None


def test_bad_sort_and_cursor_are_422(client: TestClient) -> None:
    bad_sort = client.get("/jobs", params={"sort": "config"})
    assert bad_sort.status_code == 422
    assert "best_test_loss" in bad_sort.json()["detail"]
    bad_cursor = client.get("/jobs", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["detail"].startswith("query.cursor:")
