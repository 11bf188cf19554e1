"""GET /metrics in Prometheus' text format, with figures read from the database and Redis."""

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from models.base import utcnow
from models.job import JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import add_job


def scrape(client: TestClient) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """Every sample of a scrape: metric name -> {labels: value}."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_jobs_queue_durations_and_requests_are_exported(
    client: TestClient, session: Session
) -> None:
    before = scrape(client)
    job_id = add_job(
        session,
        JobConfig().resolved(),
        0,
        status=JobStatus.SUCCEEDED,
        started_at=utcnow(),
        finished_at=utcnow(),
    )
    session.add(
        EpochMetric(
            job_id=job_id,
            epoch=1,
            loss=0.5,
            accuracy=0.8,
            test_loss=0.5,
            test_accuracy=0.8,
            seconds=0.7,
        )
    )
    session.commit()
    client.post("/experiments", json={})
    after = scrape(client)
    succeeded = (("status", "succeeded"),)
    assert after["normlab_jobs"][succeeded] == before["normlab_jobs"][succeeded] + 1
    assert after["normlab_epoch_seconds_count"][()] == before["normlab_epoch_seconds_count"][()] + 1
    one_second = (("le", "1"),)
    assert (
        after["normlab_epoch_seconds_bucket"][one_second]
        == before["normlab_epoch_seconds_bucket"][one_second] + 1
    )
    assert after["normlab_job_duration_seconds_count"][()] >= 1
    queues = after["normlab_queue_depth"]
    assert max(queues.values()) >= 1  # the experiment just posted waits in the test queue
    posted = (("method", "POST"), ("route", "/experiments"), ("status", "202"))
    assert after["normlab_http_request_duration_seconds_count"][posted] >= 1
