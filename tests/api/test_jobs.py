"""Reading, listing and cancelling jobs over HTTP; rows arranged directly in the database."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

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
    assert body["progress"] == {"epoch": 0, "epochs": 5}
    assert (body["result"], body["error"], body["started_at"]) == (None, None, None)
    assert body["created_at"].endswith("Z")


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
    assert page["next_cursor"] == ids[1]
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
